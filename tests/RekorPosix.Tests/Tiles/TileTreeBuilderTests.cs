using System.Runtime.InteropServices;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class TileTreeBuilderTests
{
    private const int MaxEdgeSize = 65_537;

    // Shared by every test: the naive reference memoises subtree hashes over these leaves.
    private static readonly byte[][] s_leaves = NaiveMerkle.SyntheticLeaves(MaxEdgeSize + 300);
    private static readonly NaiveMerkle s_naive = new(s_leaves);

    public static TheoryData<long> EdgeSizes => [0, 1, 255, 256, 257, 65_535, 65_536, 65_537];

    private static byte[] Concat(int start, int count) => s_leaves.Skip(start).Take(count).SelectMany(h => h).ToArray();

    /// <summary>Appends leaves [from, to) in batches cycling through the given sizes.</summary>
    private static void AppendInBatches(TileTreeBuilder builder, MemoryTileStore store, int from, int to, int[] batchSizes)
    {
        int next = from;
        for (int b = 0; next < to; b++)
        {
            int count = Math.Min(batchSizes[b % batchSizes.Length], to - next);
            store.Apply(builder.Append(s_leaves[next..(next + count)]));
            next += count;
        }
    }

    /// <summary>Every tile a tree of this size implies: all full tiles plus the right edge.</summary>
    private static IEnumerable<TileAddress> ImpliedTiles(long size)
    {
        for (int level = 0; level < TileMath.LevelCount(size); level++)
        {
            for (long index = 0; TileMath.TileAt(level, index, size) is { } tile; index++)
                yield return tile;
        }
    }

    /// <summary>Hash i of tile (l, n) is MTH(D[(256n+i)·256^l, (256n+i+1)·256^l)) per tlog-tiles.</summary>
    private static byte[] ExpectedTile(TileAddress tile)
    {
        int span = 1 << (8 * tile.Level);
        return Enumerable.Range(0, tile.Width)
            .SelectMany(i =>
            {
                int first = (int)((tile.Index * 256 + i) * span);
                return s_naive.Mth(first, first + span);
            })
            .ToArray();
    }

    [Theory]
    [MemberData(nameof(EdgeSizes))]
    public void OneBatchAndIrregularBatchesGiveIdenticalTiles(long size)
    {
        var whole = TileTreeBuilder.Empty();
        var wholeStore = new MemoryTileStore();
        wholeStore.Apply(whole.Append(Concat(0, (int)size)));

        var batched = TileTreeBuilder.Empty();
        var batchedStore = new MemoryTileStore();
        AppendInBatches(batched, batchedStore, 0, (int)size, [1, 7, 255, 256, 300]);

        Assert.Equal(size, whole.Size);
        Assert.Equal(size, batched.Size);
        Assert.Equal(s_naive.Root((int)size), whole.Root());
        Assert.Equal(s_naive.Root((int)size), batched.Root());
        foreach (var tile in ImpliedTiles(size))
        {
            var expected = ExpectedTile(tile);
            Assert.Equal(expected, wholeStore.Files[tile.ToPath()]);
            Assert.Equal(expected, batchedStore.Files[tile.ToPath()]);
        }
        // A single call writes nothing but the tiles the final size implies.
        Assert.Equal(ImpliedTiles(size).Select(t => t.ToPath()).Order(), wholeStore.Files.Keys.Order());
    }

    [Fact]
    public void EveryCallReturnsExactlyTheTilesItChanged()
    {
        var builder = TileTreeBuilder.Empty();
        var seenFull = new HashSet<TileAddress>();
        int[] batches = [1, 7, 255, 256, 300, 3, 1000, 128, 129];
        int next = 0;
        for (int b = 0; next < 70_000 && next + batches[b % batches.Length] <= s_leaves.Length; b++)
        {
            int count = batches[b % batches.Length];
            long oldSize = builder.Size;
            var writes = builder.Append(s_leaves[next..(next + count)]);
            next += count;
            long newSize = builder.Size;

            var expected = new List<TileAddress>();
            for (int level = 0; level < TileMath.LevelCount(newSize); level++)
            {
                // Tiles whose content differs between the two sizes: from the old right edge on.
                long firstTouched = TileMath.HashesAt(level, oldSize) / 256;
                long hashesBefore = TileMath.HashesAt(level, oldSize);
                if (TileMath.HashesAt(level, newSize) == hashesBefore)
                    continue;
                for (long index = firstTouched; TileMath.TileAt(level, index, newSize) is { } tile; index++)
                    expected.Add(tile);
            }
            Assert.Equal(expected.OrderBy(t => t.ToPath()), writes.Select(w => w.Address).OrderBy(t => t.ToPath()));
            foreach (var write in writes)
            {
                Assert.Equal(ExpectedTile(write.Address), write.Data);
                if (write.Address.IsFull)
                    Assert.True(seenFull.Add(write.Address), $"{write.Address} emitted twice");
            }
        }
    }

    [Fact]
    public void FilledTileAndNewPartialBothAppear()
    {
        var builder = TileTreeBuilder.Empty();
        builder.Append(Concat(0, 250));
        var writes = builder.Append(Concat(250, 10));
        Assert.Equal(
            ["tile/0/000", "tile/0/001.p/4", "tile/1/000.p/1"],
            writes.Select(w => w.Address.ToPath()).Order());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(255L)]
    [InlineData(256L)]
    [InlineData(257L)]
    [InlineData(4_000L)]
    [InlineData(65_535L)]
    [InlineData(65_536L)]
    [InlineData(65_537L)]
    public void ResumeReadsOnlyTheRightEdgeAndContinuesIdentically(long size)
    {
        var original = TileTreeBuilder.Empty();
        var store = new MemoryTileStore();
        store.Apply(original.Append(Concat(0, (int)size)));

        var requests = new List<TileAddress>();
        var resumed = TileTreeBuilder.Resume(size, store.ReaderFor(size, requests));
        Assert.Equal(TileMath.RightEdge(size), requests);
        Assert.Equal(size, resumed.Size);
        Assert.Equal(original.Root(), resumed.Root());

        var more = Concat((int)size, 300);
        var fromOriginal = original.Append(more);
        var fromResumed = resumed.Append(more);
        Assert.Equal(fromOriginal.Select(w => w.Address), fromResumed.Select(w => w.Address));
        Assert.Equal(fromOriginal.Select(w => w.Data.ToArray()), fromResumed.Select(w => w.Data.ToArray()));
        Assert.Equal(s_naive.Root((int)size + 300), resumed.Root());
    }

    [Fact]
    public void ResumeRefusesTilesOfTheWrongLength()
    {
        var builder = TileTreeBuilder.Empty();
        var store = new MemoryTileStore();
        store.Apply(builder.Append(Concat(0, 300)));

        var full = store.Files["tile/0/000"];
        var error = Assert.Throws<FormatException>(() => TileTreeBuilder.Resume(260, _ => full));
        Assert.Contains("tile/0/001.p/4", error.Message);
        Assert.Throws<FormatException>(() => TileTreeBuilder.Resume(300, _ => ReadOnlyMemory<byte>.Empty));
        Assert.Throws<FormatException>(() => TileTreeBuilder.Resume(300, a => store.Files[a.ToPath()].AsMemory(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileTreeBuilder.Resume(-1, _ => full));
        Assert.Throws<ArgumentNullException>(() => TileTreeBuilder.Resume(1, null!));
    }

    [Fact]
    public void ResumeAtZeroReadsNothing()
    {
        var resumed = TileTreeBuilder.Resume(0, _ => throw new InvalidOperationException("read"));
        Assert.Equal(0, resumed.Size);
        Assert.Equal(Rfc6962.EmptyRoot, resumed.Root());
    }

    [Fact]
    public void WrittenDataDoesNotAliasInternalState()
    {
        var builder = TileTreeBuilder.Empty();
        var first = builder.Append(Concat(0, 300));
        var snapshot = first.Select(w => w.Data.ToArray()).ToArray();

        builder.Append(Concat(300, 1000));
        Assert.Equal(snapshot, first.Select(w => w.Data.ToArray()));

        // Scribbling on returned data or on Root() must not disturb the builder either.
        foreach (var write in builder.Append(Concat(1300, 10)))
            MemoryMarshal.AsMemory(write.Data).Span.Clear();
        builder.Root()[0] ^= 1;
        Assert.Equal(s_naive.Root(1310), builder.Root());
        var writes = builder.Append(Concat(1310, 1));
        Assert.Equal(ExpectedTile(writes[0].Address), writes[0].Data);
    }

    [Fact]
    public void ListAndSpanOverloadsAgree()
    {
        var a = TileTreeBuilder.Empty();
        var b = TileTreeBuilder.Empty();
        var viaList = a.Append(s_leaves[..600]);
        var viaSpan = b.Append(Concat(0, 600));
        Assert.Equal(viaList.Select(w => w.Address), viaSpan.Select(w => w.Address));
        Assert.Equal(viaList.Select(w => w.Data.ToArray()), viaSpan.Select(w => w.Data.ToArray()));
        Assert.Equal(a.Root(), b.Root());
    }

    [Fact]
    public void EmptyAppendChangesNothing()
    {
        var builder = TileTreeBuilder.Empty();
        builder.Append(Concat(0, 5));
        Assert.Empty(builder.Append(Array.Empty<byte[]>()));
        Assert.Empty(builder.Append(ReadOnlySpan<byte>.Empty));
        Assert.Equal(5, builder.Size);
        Assert.Equal(s_naive.Root(5), builder.Root());
    }

    [Fact]
    public void MalformedLeafHashesAreRefusedWithoutSideEffects()
    {
        var builder = TileTreeBuilder.Empty();
        builder.Append(Concat(0, 5));
        Assert.Throws<ArgumentException>(() => builder.Append([s_leaves[5], new byte[31]]));
        Assert.Throws<ArgumentException>(() => builder.Append([s_leaves[5], null!]));
        Assert.Throws<ArgumentException>(() => builder.Append(new byte[33]));
        Assert.Throws<ArgumentNullException>(() => builder.Append((IReadOnlyList<byte[]>)null!));
        Assert.Equal(5, builder.Size);
        Assert.Equal(s_naive.Root(5), builder.Root());
    }

    [Fact]
    public void EmptyTreeHasEmptyRoot() => Assert.Equal(Rfc6962.EmptyRoot, TileTreeBuilder.Empty().Root());
}
