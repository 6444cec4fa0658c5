using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class ProofBuilderTests
{
    private static readonly byte[][] s_leaves = NaiveMerkle.SyntheticLeaves(66_000);
    private static readonly NaiveMerkle s_naive = new(s_leaves);

    // Grown one leaf at a time to 300, so every partial width of every size up to 300 is stored.
    private static readonly Lazy<MemoryTileStore> s_smallStore = new(() =>
    {
        var builder = TileTreeBuilder.Empty();
        var store = new MemoryTileStore();
        for (int i = 0; i < 300; i++)
            store.Apply(builder.Append([s_leaves[i]]));
        return store;
    });

    private static readonly long[] s_bigSizes = [65_535, 65_536, 65_537, 65_792, 65_793, 66_000];

    // Grown in steps that end exactly on each big size, so their right edges are all stored.
    private static readonly Lazy<MemoryTileStore> s_bigStore = new(() =>
    {
        var builder = TileTreeBuilder.Empty();
        var store = new MemoryTileStore();
        foreach (long size in s_bigSizes)
            store.Apply(builder.Append(s_leaves[(int)builder.Size..(int)size]));
        return store;
    });

    /// <summary>Every index for small sizes; otherwise the edges, tile boundaries and a random spread.</summary>
    private static IEnumerable<long> Probes(long size, bool includeZero, bool includeSize, int seed)
    {
        long low = includeZero ? 0 : 1, high = includeSize ? size : size - 1;
        if (high - low < 48)
            return Enumerable.Range(0, (int)(high - low + 1)).Select(i => low + i);
        var random = new Random(seed);
        long[] marks = [0, 1, 2, 3, 127, 128, 129, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, size / 2, size - 2, size - 1, size];
        return marks.Concat(Enumerable.Range(0, 24).Select(_ => random.NextInt64(low, high + 1)))
            .Where(i => i >= low && i <= high)
            .Distinct();
    }

    private static void CheckAgainstNaive(long size, MemoryTileStore store)
    {
        var requests = new List<TileAddress>();
        var builder = new ProofBuilder(size, store.ReaderFor(size, requests));
        Assert.Equal(s_naive.Root((int)size), builder.Root());
        foreach (long index in Probes(size, includeZero: true, includeSize: false, seed: (int)size))
        {
            Assert.True(
                s_naive.Inclusion((int)index, (int)size).SequenceEqual(builder.Inclusion(index), ByteArrayComparer.Instance),
                $"inclusion {index} in {size}");
            Assert.Equal(s_leaves[index], builder.LeafHash(index));
        }
        foreach (long oldSize in Probes(size, includeZero: true, includeSize: true, seed: (int)size + 1))
        {
            Assert.True(
                s_naive.Consistency((int)oldSize, (int)size).SequenceEqual(builder.Consistency(oldSize), ByteArrayComparer.Instance),
                $"consistency {oldSize} -> {size}");
        }
        // The reader asserts each request is implied by the size; the cache means no tile is read twice.
        Assert.Equal(requests.Count, requests.Distinct().Count());
    }

    [Fact]
    public void MatchesNaiveReferenceForAllSizesUpTo300()
    {
        for (long size = 1; size <= 300; size++)
            CheckAgainstNaive(size, s_smallStore.Value);
    }

    [Fact]
    public void MatchesNaiveReferenceAround65536()
    {
        foreach (long size in s_bigSizes)
            CheckAgainstNaive(size, s_bigStore.Value);
    }

    [Fact]
    public void ProofsVerify()
    {
        foreach (long size in s_bigSizes)
        {
            var builder = new ProofBuilder(size, s_bigStore.Value.ReaderFor(size));
            var root = builder.Root();
            foreach (long index in new long[] { 0, 1, 255, 256, 65_535, size - 1 }.Where(i => i < size))
                Assert.True(MerkleProof.VerifyInclusion(s_leaves[index], index, size, builder.Inclusion(index), root));
            foreach (long oldSize in new long[] { 1, 255, 256, 257, 65_535 })
            {
                Assert.True(MerkleProof.VerifyConsistency(oldSize, size, s_naive.Root((int)oldSize), root,
                    builder.Consistency(oldSize)));
            }
        }
    }

    [Fact]
    public void EmptyTree()
    {
        var builder = new ProofBuilder(0, _ => throw new InvalidOperationException("read"));
        Assert.Equal(Rfc6962.EmptyRoot, builder.Root());
        Assert.Empty(builder.Consistency(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Inclusion(0));
    }

    [Fact]
    public void TrivialConsistencyProofsAreEmptyAndReadNothing()
    {
        var builder = new ProofBuilder(300, _ => throw new InvalidOperationException("read"));
        Assert.Empty(builder.Consistency(0));
        Assert.Empty(builder.Consistency(300));
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        var builder = new ProofBuilder(10, s_smallStore.Value.ReaderFor(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Inclusion(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Inclusion(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.LeafHash(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Consistency(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Consistency(11));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProofBuilder(-1, _ => default));
        Assert.Throws<ArgumentNullException>(() => new ProofBuilder(1, null!));
    }

    [Fact]
    public void WrongLengthTilesAreRefused()
    {
        var store = s_smallStore.Value;
        var full = store.Files["tile/0/000"];
        // A full tile handed back, untrimmed, for the level-0 partial.
        var builder = new ProofBuilder(260, a => a.Level == 0 ? full : store.Files[a.ToPath()]);
        var error = Assert.Throws<FormatException>(() => builder.Root());
        Assert.Contains("tile/0/001.p/4", error.Message);
    }

    [Fact]
    public void RootReadsEachTileOnce()
    {
        var requests = new List<TileAddress>();
        var builder = new ProofBuilder(66_000, s_bigStore.Value.ReaderFor(66_000, requests));
        builder.Root();
        builder.Inclusion(65_999);
        builder.Consistency(65_537);
        Assert.Equal(requests.Count, requests.Distinct().Count());
    }
}

internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => obj.Length == 0 ? 0 : obj[0];
}
