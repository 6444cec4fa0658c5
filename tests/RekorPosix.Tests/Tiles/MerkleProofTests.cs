using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class MerkleProofTests
{
    private const int MaxSize = 40;

    private static readonly byte[][] s_leaves = NaiveMerkle.SyntheticLeaves(MaxSize + 1);
    private static readonly NaiveMerkle s_naive = new(s_leaves);

    private static byte[] Root(long size) => s_naive.Root((int)size);

    /// <summary>Every way of damaging a proof by one step: a flipped bit in any node, a node added or dropped.</summary>
    private static IEnumerable<(string What, List<byte[]> Proof)> Tamperings(List<byte[]> proof)
    {
        for (int i = 0; i < proof.Count; i++)
        {
            foreach (int bit in new[] { 0, 7, 130, 255 })
            {
                var copy = proof.Select(p => (byte[])p.Clone()).ToList();
                copy[i][bit / 8] ^= (byte)(1 << (bit % 8));
                yield return ($"bit {bit} of node {i}", copy);
            }
            yield return ($"without node {i}", proof.Where((_, j) => j != i).ToList());
            yield return ($"node {i} duplicated", [.. proof[..(i + 1)], proof[i], .. proof[(i + 1)..]]);
        }
        yield return ("extra node at end", [.. proof, s_leaves[0]]);
        yield return ("extra node at start", [s_leaves[0], .. proof]);
        if (proof.Count > 1)
            yield return ("reversed", Enumerable.Reverse(proof).ToList());
    }

    [Fact]
    public void CtVectorsVerify()
    {
        var ct = NaiveMerkleTests.CtTree();
        var root8 = Convert.FromHexString(NaiveMerkleTests.CtRoots[7]);
        Assert.True(MerkleProof.VerifyInclusion(ct.Leaves[0], 0, 8, ct.Inclusion(0, 8), root8));
        Assert.True(MerkleProof.VerifyInclusion(ct.Leaves[5], 5, 8, ct.Inclusion(5, 8), root8));
        foreach (var (m, n) in new[] { (1, 8), (6, 8), (2, 5) })
        {
            Assert.True(MerkleProof.VerifyConsistency(m, n, Convert.FromHexString(NaiveMerkleTests.CtRoots[m - 1]),
                Convert.FromHexString(NaiveMerkleTests.CtRoots[n - 1]), ct.Consistency(m, n)));
        }
    }

    [Fact]
    public void EveryInclusionProofVerifiesAndEveryTamperingFails()
    {
        for (int size = 1; size <= MaxSize; size++)
        {
            var root = Root(size);
            for (int index = 0; index < size; index++)
            {
                var proof = s_naive.Inclusion(index, size);
                var leaf = s_leaves[index];
                Assert.True(MerkleProof.VerifyInclusion(leaf, index, size, proof, root), $"{index} in {size}");

                foreach (var (what, bad) in Tamperings(proof))
                    Assert.False(MerkleProof.VerifyInclusion(leaf, index, size, bad, root), $"{index} in {size}: {what}");
                Assert.False(MerkleProof.VerifyInclusion(s_leaves[size], index, size, proof, root), "wrong leaf");
                var badRoot = (byte[])root.Clone();
                badRoot[31] ^= 1;
                Assert.False(MerkleProof.VerifyInclusion(leaf, index, size, proof, badRoot), "wrong root");
                for (int other = 0; other <= MaxSize; other++)
                {
                    if (other != index)
                        Assert.False(MerkleProof.VerifyInclusion(leaf, other, size, proof, root), $"{index} in {size} as index {other}");
                }
                // The proof must not fit any other size, against that size's own root.
                for (int other = index + 1; other <= MaxSize; other++)
                {
                    if (other != size)
                        Assert.False(MerkleProof.VerifyInclusion(leaf, index, other, proof, Root(other)), $"{index} in {size} as size {other}");
                }
            }
        }
    }

    [Fact]
    public void EveryConsistencyProofVerifiesAndEveryTamperingFails()
    {
        for (int size = 1; size <= MaxSize; size++)
        {
            for (int oldSize = 0; oldSize <= size; oldSize++)
            {
                var proof = s_naive.Consistency(oldSize, size);
                Assert.True(MerkleProof.VerifyConsistency(oldSize, size, Root(oldSize), Root(size), proof), $"{oldSize} -> {size}");

                foreach (var (what, bad) in Tamperings(proof))
                    Assert.False(MerkleProof.VerifyConsistency(oldSize, size, Root(oldSize), Root(size), bad), $"{oldSize} -> {size}: {what}");
                // Every tree extends the empty tree, so only a non-empty old tree constrains the new root.
                if (oldSize != size && oldSize != 0)
                    Assert.False(MerkleProof.VerifyConsistency(oldSize, size, Root(oldSize), Root(oldSize), proof), "old root as new");
                if (oldSize != size)
                    Assert.False(MerkleProof.VerifyConsistency(oldSize, size, Root(size), Root(size), proof), "new root as old");
                // An empty proof legitimately proves m = 0 and m = n, whatever the other size.
                bool trivial = proof.Count == 0;
                for (int otherOld = 0; otherOld <= size; otherOld++)
                {
                    if (otherOld != oldSize && !(trivial && (otherOld == 0 || otherOld == size)))
                        Assert.False(MerkleProof.VerifyConsistency(otherOld, size, Root(otherOld), Root(size), proof), $"{oldSize} -> {size} as old {otherOld}");
                }
                for (int otherNew = oldSize; otherNew <= MaxSize; otherNew++)
                {
                    if (otherNew != size && !(trivial && (oldSize == 0 || otherNew == oldSize)))
                        Assert.False(MerkleProof.VerifyConsistency(oldSize, otherNew, Root(oldSize), Root(otherNew), proof), $"{oldSize} -> {size} as new {otherNew}");
                }
            }
        }
    }

    [Fact]
    public void ConsistencyFromEmptyTree()
    {
        Assert.True(MerkleProof.VerifyConsistency(0, 5, Rfc6962.EmptyRoot, Root(5), []));
        Assert.True(MerkleProof.VerifyConsistency(0, 0, Rfc6962.EmptyRoot, Rfc6962.EmptyRoot, []));
        Assert.False(MerkleProof.VerifyConsistency(0, 5, Root(1), Root(5), []));
        Assert.False(MerkleProof.VerifyConsistency(0, 5, Rfc6962.EmptyRoot, Root(5), [Root(5)]));
    }

    [Fact]
    public void EqualSizesNeedEqualRootsAndNoProof()
    {
        Assert.True(MerkleProof.VerifyConsistency(7, 7, Root(7), Root(7), []));
        Assert.False(MerkleProof.VerifyConsistency(7, 7, Root(7), Root(6), []));
        Assert.False(MerkleProof.VerifyConsistency(7, 7, Root(7), Root(7), [Root(7)]));
    }

    [Fact]
    public void MalformedInputIsFalseNotAnException()
    {
        var root = Root(8);
        var leaf = s_leaves[3];
        var proof = s_naive.Inclusion(3, 8);

        Assert.False(MerkleProof.VerifyInclusion(leaf, 3, 8, null!, root));
        Assert.False(MerkleProof.VerifyInclusion(leaf, 3, 8, [proof[0], null!, proof[2]], root));
        Assert.False(MerkleProof.VerifyInclusion(leaf, 3, 8, [proof[0], proof[1][..31], proof[2]], root));
        Assert.False(MerkleProof.VerifyInclusion(leaf, 3, 8, [proof[0], [.. proof[1], 0], proof[2]], root));
        Assert.False(MerkleProof.VerifyInclusion(leaf[..31], 3, 8, proof, root));
        Assert.False(MerkleProof.VerifyInclusion(leaf, 3, 8, proof, root[..31]));
        Assert.False(MerkleProof.VerifyInclusion(leaf, 3, 8, proof, []));
        Assert.False(MerkleProof.VerifyInclusion(leaf, -1, 8, proof, root));
        Assert.False(MerkleProof.VerifyInclusion(leaf, 8, 8, proof, root));
        Assert.False(MerkleProof.VerifyInclusion(leaf, 0, 0, [], Rfc6962.EmptyRoot));
        Assert.False(MerkleProof.VerifyInclusion(leaf, 3, long.MinValue, proof, root));
        Assert.False(MerkleProof.VerifyInclusion(leaf, long.MaxValue - 1, long.MaxValue, Enumerable.Repeat(root, 1000).ToList(), root));

        var consistency = s_naive.Consistency(3, 8);
        Assert.False(MerkleProof.VerifyConsistency(3, 8, Root(3), root, null!));
        Assert.False(MerkleProof.VerifyConsistency(3, 8, Root(3), root, [consistency[0], null!, .. consistency[2..]]));
        Assert.False(MerkleProof.VerifyConsistency(3, 8, Root(3), root, [consistency[0][..16], .. consistency[1..]]));
        Assert.False(MerkleProof.VerifyConsistency(3, 8, Root(3)[..31], root, consistency));
        Assert.False(MerkleProof.VerifyConsistency(3, 8, Root(3), [], consistency));
        Assert.False(MerkleProof.VerifyConsistency(8, 3, root, Root(3), consistency));
        Assert.False(MerkleProof.VerifyConsistency(-1, 8, Root(3), root, consistency));
        Assert.False(MerkleProof.VerifyConsistency(3, 8, Root(3), root, []));
        Assert.False(MerkleProof.VerifyConsistency(3, long.MaxValue, Root(3), root, Enumerable.Repeat(root, 1000).ToList()));
    }
}
