using RekorPosix.Tests.Tiles;

namespace RekorPosix.Tests.Support;

/// <summary>The tests' own RFC 9162 verifier against the literal RFC proofs of <see cref="NaiveMerkle"/>:
/// it takes every right proof and refuses a changed one, so the proofs it passes are right.</summary>
public class Rfc9162VerifierTests
{
    private static readonly NaiveMerkle Tree = new(NaiveMerkle.SyntheticLeaves(70));

    [Fact]
    public void EveryInclusionProof_Verifies_AndNoAlteredOne()
    {
        for (int size = 1; size <= 70; size++)
        {
            for (int index = 0; index < size; index++)
            {
                var path = Tree.Inclusion(index, size);
                Assert.True(Rfc9162Verifier.VerifyInclusion(index, size, Tree.Leaves[index], path, Tree.Root(size)), $"{index} in {size}");
                Assert.False(Rfc9162Verifier.VerifyInclusion(index, size, Tree.Leaves[(index + 1) % 70], path, Tree.Root(size)));
                if (path.Count > 0)
                    Assert.False(Rfc9162Verifier.VerifyInclusion(index, size, Tree.Leaves[index], path[..^1], Tree.Root(size)));
            }
        }
    }

    [Fact]
    public void EveryConsistencyProof_Verifies_AndNoAlteredOne()
    {
        for (int second = 1; second <= 70; second++)
        {
            for (int first = 0; first <= second; first++)
            {
                var path = Tree.Consistency(first, second);
                Assert.True(Rfc9162Verifier.VerifyConsistency(first, second, Tree.Root(first), Tree.Root(second), path), $"{first} to {second}");
                if (first > 0 && first < second)
                {
                    Assert.False(Rfc9162Verifier.VerifyConsistency(first, second, Tree.Root(first - 1), Tree.Root(second), path));
                    Assert.False(Rfc9162Verifier.VerifyConsistency(first, second, Tree.Root(first), Tree.Root(second), path[1..]));
                }
            }
        }
    }
}
