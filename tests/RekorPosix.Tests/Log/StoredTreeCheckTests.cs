using System.Text;
using RekorPosix.Log;
using RekorPosix.Tests.Support;
using RekorPosix.Tests.Tiles;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

public class StoredTreeCheckTests
{
    /// <summary>
    /// A log's storage as a dictionary of paths. A partial that is not stored is cut from its full
    /// tile or bundle, as the POSIX reader does; neither stored is a FileNotFoundException. Counts reads.
    /// </summary>
    private sealed class StoredLog : ILogReader
    {
        public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

        public byte[]? Checkpoint { get; set; }

        public Dictionary<TileAddress, int> TileReads { get; } = [];

        public ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel) => ValueTask.FromResult(Checkpoint);

        public ValueTask<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address, CancellationToken cancel)
        {
            Assert.False(address.IsEntries);
            lock (TileReads)
                TileReads[address] = TileReads.GetValueOrDefault(address) + 1;
            return Read(address, HashTile.Trim);
        }

        public ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, CancellationToken cancel)
        {
            Assert.True(address.IsEntries);
            return Read(address, EntryBundle.Trim);
        }

        public ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel) => throw new NotSupportedException();

        private ValueTask<ReadOnlyMemory<byte>> Read(TileAddress address, Func<ReadOnlyMemory<byte>, int, ReadOnlyMemory<byte>> trim)
        {
            if (Files.TryGetValue(address.ToPath(), out var exact))
                return ValueTask.FromResult<ReadOnlyMemory<byte>>(exact);
            if (Files.TryGetValue((address with { Width = TileMath.TileWidth }).ToPath(), out var full))
                return ValueTask.FromResult(trim(full, address.Width));
            return ValueTask.FromException<ReadOnlyMemory<byte>>(new FileNotFoundException($"{address.ToPath()} is not stored"));
        }
    }

    private static byte[] EntryAt(int i) => Encoding.ASCII.GetBytes($"entry {i}");

    /// <summary>A log grown in the given batches; its head and a naive reference for its roots.</summary>
    private static (StoredLog Log, TreeHead Head, NaiveMerkle Naive) Grow(params int[] batches)
    {
        var log = new StoredLog();
        var edge = TileTreeBuilder.Empty();
        foreach (int count in batches)
        {
            long size = edge.Size;
            byte[] prefix = TileMath.PartialEntryBundle(size) is { } partial ? log.Files[partial.ToPath()] : [];
            var entries = Enumerable.Range((int)size, count).Select(i => (ReadOnlyMemory<byte>)EntryAt(i)).ToList();
            foreach (var (address, data) in BatchTiles.Build(edge, prefix, entries))
                log.Files[address.ToPath()] = data.ToArray();
        }
        var naive = new NaiveMerkle(Enumerable.Range(0, (int)edge.Size).Select(i => NaiveMerkle.Leaf(EntryAt(i))).ToList());
        var head = new TreeHead(edge.Size, edge.Size == 0 ? Rfc6962.EmptyRoot : naive.Root((int)edge.Size));
        return (log, head, naive);
    }

    private static readonly Lazy<CheckpointSigner> s_signer = new(TestLogKey.Signer);

    private static byte[] CheckpointFor(long size, byte[] root) => s_signer.Value.Sign(new TreeHead(size, root));

    private static Task<TileTreeBuilder> Check(StoredLog log, TreeHead head) =>
        StoredTreeCheck.CheckAsync(log, head, CancellationToken.None);

    private static async Task<string> CheckFails(StoredLog log, TreeHead head) =>
        (await Assert.ThrowsAsync<LogStateException>(() => Check(log, head))).Message;

    private static string B64(byte[] hash) => Convert.ToBase64String(hash);

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 255 })]
    [InlineData(new[] { 256 })]
    [InlineData(new[] { 100, 200 })]
    [InlineData(new[] { 65_536, 4_464 })]
    public async Task AGoodTreePasses_AndItsEdgeHasTheHeadsRoot(int[] batches)
    {
        var (log, head, naive) = Grow(batches);
        // No checkpoint yet, then one at the head, then one at every earlier size the log had.
        var edge = await Check(log, head);
        Assert.Equal(head.Size, edge.Size);
        Assert.Equal(head.Root, edge.Root());

        log.Checkpoint = CheckpointFor(head.Size, head.Root);
        Assert.Equal(head.Root, (await Check(log, head)).Root());

        long earlier = 0;
        foreach (int count in batches.SkipLast(1))
        {
            earlier += count;
            log.Checkpoint = CheckpointFor(earlier, naive.Root((int)earlier));
            Assert.Equal(head.Root, (await Check(log, head)).Root());
        }
    }

    [Fact]
    public async Task AGoodTreePasses_WhenAnOldCheckpointsPartialIsGone()
    {
        // Garbage collection removed tile/0/000.p/100 once tile/0/000 was full: it is cut from that.
        var (log, head, naive) = Grow(100, 200);
        Assert.True(log.Files.Remove("tile/0/000.p/100"));
        log.Checkpoint = CheckpointFor(100, naive.Root(100));
        Assert.Equal(head.Root, (await Check(log, head)).Root());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public async Task AWrongRootInTheHead_IsNamed(int size)
    {
        var (log, head, _) = Grow(size == 0 ? [] : [size]);
        var wrong = head with { Root = NaiveMerkle.Leaf([1]) };
        string message = await CheckFails(log, wrong);
        Assert.Contains("integrated tree head", message);
        Assert.Contains(B64(wrong.Root), message);
        Assert.Contains(B64(head.Root), message);
        // The tiles the root was computed from.
        Assert.Contains(size == 0 ? "(none)" : "tile/0/001.p/44, tile/1/000.p/1", message);
    }

    [Theory]
    [InlineData("tile/0/001.p/44")]
    [InlineData("tile/1/000.p/1")]
    public async Task AMissingRightEdgeTile_IsNamed(string path)
    {
        var (log, head, _) = Grow(300);
        Assert.True(log.Files.Remove(path));
        string message = await CheckFails(log, head);
        Assert.Contains("right edge", message);
        Assert.Contains("size 300", message);
        Assert.Contains(path, message);
    }

    [Fact]
    public async Task AShortRightEdgeTile_IsNamed()
    {
        var (log, head, _) = Grow(300);
        log.Files["tile/0/001.p/44"] = log.Files["tile/0/001.p/44"][..(43 * Rfc6962.HashSize)];
        string message = await CheckFails(log, head);
        Assert.Contains("tile/0/001.p/44", message);
    }

    [Fact]
    public async Task ABundleEntryThatDoesNotHashToTheLevel0Tile_IsNamed()
    {
        var (log, head, _) = Grow(300);
        var entries = EntryBundle.Parse(log.Files["tile/entries/001.p/44"]).Select(e => e.ToArray()).ToList();
        entries[3] = Encoding.ASCII.GetBytes("not the entry that was hashed");
        log.Files["tile/entries/001.p/44"] = EntryBundle.Encode(entries.Select(e => (ReadOnlyMemory<byte>)e));
        string message = await CheckFails(log, head);
        Assert.Contains("tile/entries/001.p/44", message);
        Assert.Contains("entry 3", message);
        Assert.Contains("level-0 tile", message);
    }

    [Fact]
    public async Task AMissingOrMalformedPartialBundle_IsNamed()
    {
        var (log, head, _) = Grow(300);
        byte[] bundle = log.Files["tile/entries/001.p/44"];
        log.Files["tile/entries/001.p/44"] = bundle[..^1];
        Assert.Contains("tile/entries/001.p/44", await CheckFails(log, head));
        log.Files.Remove("tile/entries/001.p/44");
        Assert.Contains("tile/entries/001.p/44", await CheckFails(log, head));
    }

    [Fact]
    public async Task ACheckpointAheadOfTheHead_IsNamed()
    {
        var (log, head, _) = Grow(300);
        var (_, longer, _) = Grow(301);
        log.Checkpoint = CheckpointFor(301, longer.Root);
        string message = await CheckFails(log, head);
        Assert.Contains("checkpoint is at size 301", message);
        Assert.Contains("only at 300", message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(200)]
    [InlineData(256)]
    [InlineData(300)]
    public async Task ACheckpointWhoseRootDisagreesWithTheTiles_IsNamed(int size)
    {
        var (log, head, naive) = Grow(300);
        // The root of a neighbouring size: plausible, and wrong.
        var wrong = naive.Root(size - 1 == 0 ? 2 : size - 1);
        log.Checkpoint = CheckpointFor(size, wrong);
        string message = await CheckFails(log, head);
        Assert.Contains($"checkpoint (size {size})", message);
        Assert.Contains(B64(wrong), message);
        Assert.Contains(B64(naive.Root(size)), message);
    }

    [Fact]
    public async Task AnUnparsableCheckpoint_IsALogStateException()
    {
        var (log, head, _) = Grow(10);
        log.Checkpoint = Encoding.UTF8.GetBytes("not a note");
        Assert.StartsWith("checkpoint:", await CheckFails(log, head));
    }

    [Fact]
    public async Task ReadTilesAsync_ReadsEachTileOnce_AllBeforeWaitingForAny_InTheOrderAsked()
    {
        var (log, _, _) = Grow(70_000);
        var tiles = new[] { new TileAddress(0, 0, 256), new TileAddress(0, 273, 112), new TileAddress(1, 1, 17), new TileAddress(2, 0, 1) };
        var gated = new GatedReader(log);
        var reading = StoredTreeCheck.ReadTilesAsync(gated, tiles, CancellationToken.None);
        // Nothing has completed, yet every read is already asked for: they run concurrently.
        Assert.Equal(tiles, gated.Asked);
        Assert.False(reading.IsCompleted);
        gated.Release();
        var read = await reading;
        Assert.Equal(tiles.Length, read.Length);
        for (int i = 0; i < tiles.Length; i++)
        {
            Assert.Equal(1, log.TileReads[tiles[i]]);
            Assert.Equal(log.Files[tiles[i].ToPath()], read[i].ToArray());
        }
    }

    /// <summary>Holds every tile read until released, recording the order they were asked for.</summary>
    private sealed class GatedReader(StoredLog inner) : ILogReader
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<TileAddress> Asked { get; } = [];

        public void Release() => _gate.SetResult();

        public async ValueTask<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address, CancellationToken cancel)
        {
            Asked.Add(address);
            await _gate.Task;
            return await inner.ReadTileAsync(address, cancel);
        }

        public ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel) => inner.ReadCheckpointAsync(cancel);

        public ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, CancellationToken cancel) =>
            inner.ReadEntryBundleAsync(address, cancel);

        public ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel) => inner.ReadIntegratedSizeAsync(cancel);
    }

    [Fact]
    public async Task RootAtAsync_IsTheNaiveRoot_ReadingEachTileOnce()
    {
        int[] sizes = [1, 2, 255, 256, 257, 4_097, 65_535, 65_536, 65_537, 66_000, 70_000];
        // Grown through each size, so the partial tiles each size implies are stored.
        var (log, _, naive) = Grow(sizes.Select((size, i) => size - (i == 0 ? 0 : sizes[i - 1])).ToArray());
        foreach (int size in sizes)
        {
            log.TileReads.Clear();
            Assert.Equal(naive.Root(size), await StoredTreeCheck.RootAtAsync(log, size, CancellationToken.None));
            Assert.All(log.TileReads, read => Assert.Equal(1, read.Value));
            Assert.All(log.TileReads.Keys, a => Assert.Equal(TileMath.WidthAt(a.Level, a.Index, size), a.Width));
        }
        Assert.Equal(Rfc6962.EmptyRoot, await StoredTreeCheck.RootAtAsync(log, 0, CancellationToken.None));
    }
}
