using System.Runtime.InteropServices;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class BundleSpaceTests
{
    private static byte[] ArrayOf(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");

    [Fact]
    public void Take_NeverHandsOutTheMemoryTheCallerKeeps_AndReusesTheOther()
    {
        var space = new BundleSpace();
        var first = space.Take(1000, default);
        first.Span.Fill(7);
        var kept = first[600..1000];
        var second = space.Take(1000, kept);
        Assert.NotSame(ArrayOf(first), ArrayOf(second));
        second.Span.Fill(9);
        Assert.All(kept.ToArray(), b => Assert.Equal(7, b));
        // The next batch keeps the second's tail: the first buffer comes back, not a new one.
        var third = space.Take(1000, second[900..]);
        Assert.Same(ArrayOf(first), ArrayOf(third));
        Assert.Equal(2048, space.Capacity);
    }

    [Fact]
    public void Take_AfterABatchThatFailed_StillAvoidsTheMemoryKept()
    {
        var space = new BundleSpace();
        var committed = space.Take(500, default)[..200];
        committed.Span.Fill(1);
        // A batch took the other buffer and failed: the caller still keeps the same committed bundle.
        space.Take(500, committed).Span.Fill(2);
        var retry = space.Take(500, committed);
        Assert.NotSame(ArrayOf(committed), ArrayOf(retry));
        retry.Span.Fill(3);
        Assert.All(committed.ToArray(), b => Assert.Equal(1, b));
    }

    [Fact]
    public void Take_GrowsToAPowerOfTwo_AndKeepsNothingBeyondMaxKept()
    {
        var space = new BundleSpace();
        Assert.Equal(3000, space.Take(3000, default).Length);
        Assert.Equal(4096, space.Capacity);
        var huge = space.Take(BundleSpace.MaxKept + 1, default);
        Assert.Equal(BundleSpace.MaxKept + 1, huge.Length);
        Assert.Equal(4096, space.Capacity);
        Assert.Equal(BundleSpace.MaxKept, space.Take(BundleSpace.MaxKept, default).Length);
        Assert.InRange(space.Capacity, BundleSpace.MaxKept, BundleSpace.MaxKept + 4096);
    }

    [Fact]
    public void Take_OfMemoryFromElsewhere_MayUseEitherBuffer_AndRefusesANegativeLength()
    {
        var space = new BundleSpace();
        byte[] foreign = [1, 2, 3];
        Assert.Equal(3, space.Take(3, foreign).Length);
        Assert.Equal(0, space.Take(0, default).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => space.Take(-1, default));
        Assert.Equal([1, 2, 3], foreign);
    }
}
