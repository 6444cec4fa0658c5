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

    // --- Planning reads (TilesRead) and supplying tiles (Holds, Supply) ---

    private const int PlanLeaves = 70_000;

    // One tree of 70000 leaves; a tile at any smaller size is a prefix of its full or last partial file.
    private static readonly Lazy<Dictionary<(int Level, long Index), byte[]>> s_planTiles = new(() =>
    {
        var builder = TileTreeBuilder.Empty();
        var tiles = new Dictionary<(int, long), byte[]>();
        foreach (var (address, data) in builder.Append(NaiveMerkle.SyntheticLeaves(PlanLeaves)))
            tiles[(address.Level, address.Index)] = data.ToArray();
        return tiles;
    });

    /// <summary>Any tile of any size up to 70000, cut to its width, as a fallback-reading store would.</summary>
    private static ReadOnlyMemory<byte> PlanTile(TileAddress address) =>
        HashTile.Trim(s_planTiles.Value[(address.Level, address.Index)], address.Width);

    private static IEnumerable<long> PlanSizes()
    {
        var random = new Random(20_250_601);
        return new long[] { 1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 70_000 }
            .Concat(Enumerable.Range(0, 12).Select(_ => random.NextInt64(1, PlanLeaves + 1)));
    }

    /// <summary>Root, inclusions and consistencies to plan for at one size, named for failure messages.</summary>
    private static IEnumerable<(string Name, Func<ProofBuilder, IReadOnlyList<byte[]>> Compute)> Computations(long size)
    {
        yield return ("root", p => [p.Root()]);
        foreach (long index in Probes(size, includeZero: true, includeSize: false, seed: (int)size).Take(14))
            yield return ($"inclusion {index} in {size}", p => p.Inclusion(index));
        foreach (long oldSize in Probes(size, includeZero: true, includeSize: true, seed: (int)size + 7).Take(14))
            yield return ($"consistency {oldSize} -> {size}", p => p.Consistency(oldSize));
        // Several computations on one builder: later ones read only what earlier ones did not.
        long last = size - 1;
        yield return ($"root, inclusion {last}, consistency {size / 2} in {size}", p => [p.Root(), .. p.Inclusion(last), .. p.Consistency(size / 2)]);
    }

    [Fact]
    public void TilesRead_IsExactlyWhatAReaderBackedBuilderReads()
    {
        foreach (long size in PlanSizes())
        {
            foreach (var (name, compute) in Computations(size))
            {
                var reads = new List<TileAddress>();
                var reader = new ProofBuilder(size, a => { reads.Add(a); return PlanTile(a); });
                compute(reader);
                var planned = ProofBuilder.TilesRead(size, p => compute(p));
                Assert.True(reads.SequenceEqual(planned),
                    $"{name}: read {string.Join(" ", reads)}, planned {string.Join(" ", planned)}");
                Assert.Equal(planned.Count, planned.Distinct().Count());
            }
        }
    }

    [Fact]
    public void ASuppliedBuilder_ComputesWhatAReaderBackedOneDoes()
    {
        foreach (long size in PlanSizes())
        {
            foreach (var (name, compute) in Computations(size))
            {
                var expected = compute(new ProofBuilder(size, PlanTile));
                var supplied = new ProofBuilder(size);
                foreach (var address in ProofBuilder.TilesRead(size, p => compute(p)))
                {
                    Assert.False(supplied.Holds(address));
                    supplied.Supply(address, PlanTile(address));
                    Assert.True(supplied.Holds(address));
                }
                Assert.True(expected.SequenceEqual(compute(supplied), ByteArrayComparer.Instance), name);
            }
        }
    }

    [Fact]
    public void ASuppliedBuilder_MissingOneTile_ThrowsNamingIt()
    {
        var random = new Random(7);
        foreach (long size in PlanSizes())
        {
            foreach (var (name, compute) in Computations(size))
            {
                var needed = ProofBuilder.TilesRead(size, p => compute(p));
                if (needed.Count == 0)
                    continue;
                var left = needed[random.Next(needed.Count)];
                var supplied = new ProofBuilder(size);
                foreach (var address in needed.Where(a => a != left))
                    supplied.Supply(address, PlanTile(address));
                var error = Assert.Throws<TileNotSuppliedException>(() => compute(supplied));
                Assert.Equal(left, error.Address);
                Assert.Contains(left.ToPath(), error.Message);
                // Handed in, the computation completes from where it stopped.
                supplied.Supply(error.Address, PlanTile(error.Address));
                compute(supplied);
            }
        }
    }

    [Fact]
    public void TheEmptyTreeNeedsNoTiles_ANonEmptyRootNeedsTheRightEdgeAtLeast()
    {
        Assert.Empty(ProofBuilder.TilesRead(0, p => p.Root()));
        Assert.Equal(Rfc6962.EmptyRoot, new ProofBuilder(0).Root());
        // Every right-edge partial holds part of the root; which full tiles join it depends on the size.
        var planned = ProofBuilder.TilesRead(70_000, p => p.Root());
        Assert.Subset(planned.ToHashSet(), TileMath.RightEdge(70_000).ToHashSet());
        var error = Assert.Throws<TileNotSuppliedException>(() => new ProofBuilder(70_000).Root());
        Assert.Equal(planned[0], error.Address);
    }

    [Theory]
    [InlineData("tile/0/002.p/1")] // beyond the tree
    [InlineData("tile/0/001.p/43")] // narrower than the size gives it
    [InlineData("tile/0/001")] // full, but only 44 hashes are in the tree
    [InlineData("tile/1/000.p/2")] // level 1 holds one hash at 300
    [InlineData("tile/2/000.p/1")] // no level 2 at 300
    [InlineData("tile/entries/001.p/44")] // an entry bundle, never a hash tile
    [InlineData("tile/entries/000")]
    public void Supply_RefusesATileTheSizeDoesNotImply(string path)
    {
        Assert.True(TileAddress.TryParse(path, out var address));
        var builder = new ProofBuilder(300);
        var data = new byte[address.Width * Rfc6962.HashSize];
        var error = Assert.Throws<ArgumentException>(() => builder.Supply(address, data));
        Assert.Contains(path, error.Message);
        Assert.False(builder.Holds(address));
    }

    [Theory]
    [InlineData("tile/0/000", 255)]
    [InlineData("tile/0/001.p/44", 45)]
    [InlineData("tile/0/001.p/44", 256)] // a full tile handed in untrimmed for the partial
    [InlineData("tile/1/000.p/1", 0)]
    public void Supply_RefusesDataOfTheWrongLength(string path, int hashes)
    {
        Assert.True(TileAddress.TryParse(path, out var address));
        var builder = new ProofBuilder(300);
        var error = Assert.Throws<FormatException>(() => builder.Supply(address, new byte[hashes * Rfc6962.HashSize]));
        Assert.Contains(path, error.Message);
        Assert.False(builder.Holds(address));
        // Nor is a length that is no whole number of hashes taken.
        Assert.Throws<FormatException>(() => builder.Supply(address, new byte[address.Width * Rfc6962.HashSize + 1]));
    }

    [Fact]
    public void Supply_ChecksTheAddressAgainstThisBuildersSize()
    {
        // tile/0/001.p/44 belongs to size 300; at 301 the same tile is 45 wide.
        var address = new TileAddress(0, 1, 44);
        var data = PlanTile(address);
        new ProofBuilder(300).Supply(address, data);
        Assert.Throws<ArgumentException>(() => new ProofBuilder(301).Supply(address, data));
    }

    [Fact]
    public void AReaderBackedBuilder_HoldsWhatItRead()
    {
        var reads = new List<TileAddress>();
        var builder = new ProofBuilder(70_000, a => { reads.Add(a); return PlanTile(a); });
        Assert.DoesNotContain(TileMath.RightEdge(70_000), builder.Holds);
        builder.Inclusion(12_345);
        Assert.NotEmpty(reads);
        Assert.All(reads, a => Assert.True(builder.Holds(a), a.ToPath()));
        // A builder handed what the other read needs no more tiles for the same proof.
        var supplied = new ProofBuilder(70_000);
        foreach (var address in reads)
            supplied.Supply(address, PlanTile(address));
        Assert.Equal(builder.Inclusion(12_345), supplied.Inclusion(12_345));
    }
}

internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => obj.Length == 0 ? 0 : obj[0];
}
