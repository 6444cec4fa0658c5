using System.Security.Cryptography;

namespace RekorPosix.Tests.Support;

/// <summary>
/// The proof verification algorithms of RFC 9162 (https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2
/// and #section-2.1.4.2) written step by step from the RFC's text with their own SHA-256 calls, to
/// check the server's proofs without the production verifier (Tiles/MerkleProof).
/// </summary>
public static class Rfc9162Verifier
{
    public static byte[] LeafHash(byte[] entry) => SHA256.HashData([0x00, .. entry]);

    private static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>"If LSB(fn) is not set, then right-shift both fn and sn equally until either
    /// LSB(fn) is set or fn is 0" (both algorithms).</summary>
    private static void ShiftUntilOddOrZero(ref long fn, ref long sn)
    {
        while ((fn & 1) == 0 && fn != 0)
        {
            fn >>= 1;
            sn >>= 1;
        }
    }

    /// <summary>§2.1.3.2, steps 1 to 5.</summary>
    public static bool VerifyInclusion(long leafIndex, long treeSize, byte[] leafHash, IReadOnlyList<byte[]> path, byte[] root)
    {
        if (leafIndex >= treeSize)
            return false;
        long fn = leafIndex, sn = treeSize - 1;
        byte[] r = leafHash;
        foreach (byte[] p in path)
        {
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = Node(p, r);
                ShiftUntilOddOrZero(ref fn, ref sn);
            }
            else
            {
                r = Node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>§2.1.4.2, steps 1 to 7; equal sizes (and the empty first tree) need an empty path.</summary>
    public static bool VerifyConsistency(long first, long second, byte[] firstHash, byte[] secondHash, IReadOnlyList<byte[]> path)
    {
        if (first > second)
            return false;
        if (first == second)
            return path.Count == 0 && firstHash.AsSpan().SequenceEqual(secondHash);
        if (first == 0)
            return path.Count == 0;
        if (path.Count == 0)
            return false;
        var proof = (first & (first - 1)) == 0 ? [firstHash, .. path] : path.ToList();
        long fn = first - 1, sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = proof[0], sr = proof[0];
        foreach (byte[] c in proof.Skip(1))
        {
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = Node(c, fr);
                sr = Node(c, sr);
                ShiftUntilOddOrZero(ref fn, ref sn);
            }
            else
            {
                sr = Node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return fr.AsSpan().SequenceEqual(firstHash) && sr.AsSpan().SequenceEqual(secondHash) && sn == 0;
    }
}
