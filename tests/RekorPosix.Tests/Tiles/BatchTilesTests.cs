using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class BatchTilesTests
{
    /// <summary>Entry i: varied lengths, some empty, so bundle offsets are not all alike.</summary>
    private static byte[] EntryAt(int i) =>
        i % 97 == 0 ? [] : Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"e{i};", 1 + i % 4)));

    /// <summary>
    /// A log grown only through <see cref="BatchTiles.Build"/>, its files in a dictionary. Each batch
    /// is checked against what the sizes alone imply and against <see cref="NaiveMerkle"/>.
    /// </summary>
    private sealed class BatchLog
    {
        private readonly List<byte[]> _entries = [];
        private readonly List<byte[]> _leaves = [];
        private NaiveMerkle _naive = new([]);

        public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

        public TileTreeBuilder Edge { get; } = TileTreeBuilder.Empty();

        public long Size => Edge.Size;

        public List<TileWrite> AppendAndCheck(int count)
        {
            long committed = Size;
            var batch = Enumerable.Range((int)committed, count).Select(EntryAt).ToList();
            _entries.AddRange(batch);
            _leaves.AddRange(batch.Select(NaiveMerkle.Leaf));
            _naive = new NaiveMerkle(_leaves);

            // The committed partial bundle as the store has it: empty on a bundle boundary.
            byte[] prefix = TileMath.PartialEntryBundle(committed) is { } partial ? Files[partial.ToPath()] : [];
            var writes = BatchTiles.Build(Edge, prefix, batch.Select(e => (ReadOnlyMemory<byte>)e).ToList());
            long size = committed + count;

            Assert.Equal(size, Edge.Size);
            Assert.Equal(_naive.Root((int)size), Edge.Root());
            Assert.Equal(writes.Count, writes.Select(w => w.Address).Distinct().Count());
            CheckBundles(committed, size, writes.Where(w => w.Address.IsEntries).ToList());
            CheckHashTiles(committed, size, writes.Where(w => !w.Address.IsEntries).ToList());
            // What the guard checks, recomputed: nothing written is already complete at the committed size.
            foreach (var write in writes)
            {
                int committedWidth = TileMath.WidthAt(write.Address.Level, write.Address.Index, committed);
                Assert.True(write.Address.Width > committedWidth, $"{write.Address} rewrites size {committed}");
            }

            foreach (var write in writes)
                Files[write.Address.ToPath()] = write.Data.ToArray();
            return writes;
        }

        private void CheckBundles(long committed, long size, List<TileWrite> bundles)
        {
            // Every bundle from the committed one's to the last, each at the width the new size gives it.
            var expected = new List<TileAddress>();
            for (long b = committed / TileMath.TileWidth; b <= (size - 1) / TileMath.TileWidth; b++)
                expected.Add(TileMath.EntryBundleAt(b, size)!.Value);
            Assert.Equal(expected, bundles.Select(w => w.Address));

            // Concatenated, they hold the committed partial's entries and then the batch, nothing else.
            var held = bundles.SelectMany(w => EntryBundle.Parse(w.Data)).Select(e => e.ToArray()).ToList();
            int first = (int)(committed / TileMath.TileWidth * TileMath.TileWidth);
            Assert.Equal(_entries.Skip(first).ToList(), held);
        }

        private void CheckHashTiles(long committed, long size, List<TileWrite> tiles)
        {
            // A level changes only if it gained hashes; then every tile from the committed partial's
            // position to the new last one is written, full when full, else at its new width.
            var expected = new HashSet<TileAddress>();
            for (int level = 0; level < TileMath.LevelCount(size); level++)
            {
                long before = TileMath.HashesAt(level, committed), after = TileMath.HashesAt(level, size);
                for (long index = before / TileMath.TileWidth; after > before && index <= (after - 1) / TileMath.TileWidth; index++)
                    expected.Add(TileMath.TileAt(level, index, size)!.Value);
            }
            Assert.True(expected.SetEquals(tiles.Select(w => w.Address)),
                $"{committed} -> {size}: expected {string.Join(" ", expected)}, wrote {string.Join(" ", tiles.Select(w => w.Address))}");

            // Each holds the level's node hashes: node j of level l covers leaves [j·256^l, (j+1)·256^l).
            foreach (var (address, data) in tiles)
            {
                int span = 1 << (TileMath.TileHeight * address.Level);
                var hashes = Enumerable.Range(0, address.Width)
                    .Select(k => (int)(address.Index * TileMath.TileWidth + k) * span)
                    .Select(start => _naive.Mth(start, start + span))
                    .ToList();
                Assert.Equal(HashTile.Encode(hashes), data);
            }
        }

        /// <summary>The entries read back from the stored bundles the size implies.</summary>
        public List<byte[]> StoredEntries()
        {
            var entries = new List<byte[]>();
            for (long b = 0; TileMath.EntryBundleAt(b, Size) is { } address; b++)
                entries.AddRange(EntryBundle.Parse(Files[address.ToPath()]).Select(e => e.ToArray()));
            return entries;
        }

        public List<byte[]> Entries => _entries;
    }

    public static TheoryData<int, int[]> Batches() => new()
    {
        { 0, [1] },
        { 0, [255] },
        { 0, [256] },
        { 0, [257] },
        { 0, [1, 1, 1, 253, 1] },
        { 0, [300, 500, 1000] },
        { 1, [255] },
        { 1, [256] },
        { 1, [510, 1] },
        { 255, [1] },
        { 255, [2] },
        { 255, [257] },
        { 256, [1] },
        { 256, [256] },
        // To exactly 65536: the first level-1 tile fills.
        { 256, [65_280] },
        { 65_000, [536, 1] },
        { 65_535, [1] },
        { 65_535, [2] },
        { 65_535, [257, 255, 256] },
        { 65_535, [4_466] },
    };

    [Theory]
    [MemberData(nameof(Batches))]
    public void BatchesWriteExactlyTheChangedTiles_AndTheEntries(int start, int[] batches)
    {
        var log = new BatchLog();
        // The start is itself reached through batches, each checked the same way.
        for (int remaining = start; remaining > 0; remaining -= Math.Min(remaining, 40_000))
            log.AppendAndCheck(Math.Min(remaining, 40_000));
        foreach (int count in batches)
            log.AppendAndCheck(count);
        Assert.Equal(log.Entries, log.StoredEntries());
    }

    [Fact]
    public void BundlesWrittenIntoAReusedSpace_AreTheBytesOfFreshArrays_BatchAfterBatch()
    {
        // As the POSIX driver does: the prefix is the previous batch's partial write, still in the space.
        var reference = new BatchLog();
        var edge = TileTreeBuilder.Empty();
        var space = new BundleSpace();
        ReadOnlyMemory<byte> prefix = default;
        int next = 0;
        foreach (int count in new[] { 1, 3, 250, 2, 256, 700, 1, 255, 1, 40 })
        {
            reference.AppendAndCheck(count);
            var batch = Enumerable.Range(next, count).Select(i => (ReadOnlyMemory<byte>)EntryAt(i)).ToList();
            next += count;
            var writes = BatchTiles.Build(edge, prefix, batch, space);
            foreach (var write in writes)
                Assert.Equal(reference.Files[write.Address.ToPath()], write.Data.ToArray());
            var bundles = writes.Where(w => w.Address.IsEntries).ToList();
            prefix = bundles[^1].Address.Width < TileMath.TileWidth ? bundles[^1].Data : default;
        }
        Assert.Equal(reference.Edge.Root(), edge.Root());
        Assert.True(space.Capacity > 0);
    }

    [Fact]
    public void OneBatchAndManySmallOnesAgreeOnTheFinalTiles()
    {
        var whole = new BatchLog();
        whole.AppendAndCheck(1_000);
        var pieces = new BatchLog();
        foreach (int count in new[] { 1, 254, 1, 2, 300, 442 })
            pieces.AppendAndCheck(count);
        // Files only differ by the older partials the small batches left behind.
        foreach (var (path, data) in whole.Files)
            Assert.Equal(data, pieces.Files[path]);
        Assert.Equal(whole.Edge.Root(), pieces.Edge.Root());
    }

    [Fact]
    public void ZeroEntriesAreRefused_AndTheEdgeIsUntouched()
    {
        var edge = TileTreeBuilder.Empty();
        edge.Append([NaiveMerkle.Leaf([1])]);
        var root = edge.Root();
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchTiles.Build(edge, EntryBundle.Encode([new byte[] { 1 }]), []));
        Assert.Equal(1, edge.Size);
        Assert.Equal(root, edge.Root());
    }

    /// <summary>
    /// Build cannot reach the guard: the bundles and the tiles both start from the edge's size, so
    /// every address they write is wider than the committed one (the batch tests above check that
    /// for each write). The guard is therefore exercised directly, on addresses the committed size
    /// already holds.
    /// </summary>
    [Theory]
    [InlineData(300L, 0, 1L, 44, false)] // tile/0/001.p/44 is the committed partial itself
    [InlineData(300L, 0, 1L, 20, false)] // a narrower partial than the committed one
    [InlineData(300L, 0, 0L, 256, false)] // a full tile
    [InlineData(300L, 0, 1L, 44, true)] // the committed partial bundle
    [InlineData(300L, 0, 0L, 256, true)] // a full bundle
    [InlineData(65_536L, 1, 0L, 256, false)] // a full level-1 tile
    public void RewritingACommittedPathIsRefused(long committed, int level, long index, int width, bool entries)
    {
        var address = new TileAddress(level, index, width, entries);
        var error = Assert.Throws<InvalidOperationException>(() => Guard(address, committed));
        Assert.Contains(address.ToPath(), error.Message);
        Assert.Contains(committed.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Theory]
    [InlineData(300L, 0, 1L, 45, false)] // the next partial width
    [InlineData(300L, 0, 1L, 256, false)] // the tile once full
    [InlineData(300L, 0, 2L, 1, true)] // a bundle that does not exist yet
    [InlineData(65_535L, 1, 0L, 256, false)]
    public void WritingBeyondTheCommittedSizeIsAllowed(long committed, int level, long index, int width, bool entries) =>
        Guard(new TileAddress(level, index, width, entries), committed);

    private static void Guard(TileAddress address, long committed) => BatchTiles.GuardUncommitted(address, committed);

    private static readonly DirectoryTileSource s_tessera = new("tessera-log");

    private static List<ReadOnlyMemory<byte>> TesseraEntries() =>
        EntryBundle.Parse(s_tessera.ReadExact(new TileAddress(0, 0, 15, IsEntries: true)));

    [Fact]
    public void RebuildingTheTesseraLogOneEntryAtATime_GivesItsFilesByteForByte()
    {
        var entries = TesseraEntries();
        Assert.Equal(15, entries.Count);
        var edge = TileTreeBuilder.Empty();
        var written = new HashSet<string>(StringComparer.Ordinal);
        ReadOnlyMemory<byte> prefix = default;
        foreach (var entry in entries)
        {
            var writes = BatchTiles.Build(edge, prefix, [entry]);
            Assert.Equal(2, writes.Count);
            foreach (var (address, data) in writes)
            {
                Assert.Equal(s_tessera.ReadExact(address), data);
                written.Add(address.ToPath());
            }
            prefix = writes.Single(w => w.Address.IsEntries).Data;
        }
        // Every tile file tessera wrote, and nothing else.
        Assert.True(written.SetEquals(s_tessera.AllTilePaths()), string.Join(" ", written));
        Assert.Equal(Checkpoint.Parse(DirectoryTileSource.NoteBody(DirectoryTileSource.ReadText("tessera-log", "checkpoint"))).RootHash,
            edge.Root());
    }

    [Fact]
    public void ResumingTheTesseraLogAtEachSize_AndAppendingTheRest_GivesItsFiles()
    {
        var entries = TesseraEntries();
        for (int size = 0; size < entries.Count; size++)
        {
            var edge = TileTreeBuilder.Resume(size, a => s_tessera.ReadExact(a));
            ReadOnlyMemory<byte> prefix = size == 0 ? default : s_tessera.ReadExact(new TileAddress(0, 0, size, IsEntries: true));
            var writes = BatchTiles.Build(edge, prefix, entries.Skip(size).ToList());
            Assert.Equal(new[] { "tile/entries/000.p/15", "tile/0/000.p/15" }, writes.Select(w => w.Address.ToPath()));
            foreach (var (address, data) in writes)
                Assert.Equal(s_tessera.ReadExact(address), data);
        }
    }
}
