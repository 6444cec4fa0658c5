namespace RekorPosix.Tiles;

/// <summary>
/// RFC 9162 proof verification. Verifiers answer yes or no: malformed input (bad sizes, wrong-length
/// hashes, null entries, too many or too few nodes) is simply "no", never an exception.
/// </summary>
public static class MerkleProof
{
    private const int HashSize = Rfc6962.HashSize;

    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="proof"/> place the leaf at index in a tree with this root?</summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long treeSize,
        IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (proof is null || index < 0 || index >= treeSize || leafHash.Length != HashSize || root.Length != HashSize)
            return false;

        long fn = index, sn = treeSize - 1;
        Span<byte> r = stackalloc byte[HashSize];
        leafHash.CopyTo(r);
        foreach (var p in proof)
        {
            if (p is not { Length: HashSize } || sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                Rfc6962.NodeHash(p, r, r);
                // A right-edge node with no sibling on this level: climb until it is a right child.
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                Rfc6962.NodeHash(r, p, r);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.SequenceEqual(root);
    }

    /// <summary>RFC 9162 §2.1.4.2: is the tree (size2, root2) an append-only extension of (size1, root1)?</summary>
    public static bool VerifyConsistency(long size1, long size2, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2,
        IReadOnlyList<byte[]> proof)
    {
        if (proof is null || size1 < 0 || size2 < size1 || root1.Length != HashSize || root2.Length != HashSize)
            return false;
        if (size1 == size2)
            return proof.Count == 0 && root1.SequenceEqual(root2);
        if (size1 == 0)
            return proof.Count == 0 && root1.SequenceEqual(Rfc6962.EmptyRootSpan);
        if (proof.Count == 0)
            return false;
        foreach (var p in proof)
        {
            if (p is not { Length: HashSize })
                return false;
        }

        // When the old tree is a perfect subtree its root is the first node; the proof omits it.
        bool prependOldRoot = (size1 & (size1 - 1)) == 0;
        int first = prependOldRoot ? -1 : 0;
        ReadOnlySpan<byte> start = prependOldRoot ? root1 : proof[0];

        long fn = size1 - 1, sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        Span<byte> fr = stackalloc byte[HashSize];
        Span<byte> sr = stackalloc byte[HashSize];
        start.CopyTo(fr);
        start.CopyTo(sr);
        for (int i = first + 1; i < proof.Count; i++)
        {
            var c = proof[i];
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                Rfc6962.NodeHash(c, fr, fr);
                Rfc6962.NodeHash(c, sr, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                Rfc6962.NodeHash(sr, c, sr);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.SequenceEqual(root1) && sr.SequenceEqual(root2);
    }
}
