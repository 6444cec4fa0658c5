using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http.ReadPath;

public class StoredFilesTests
{
    private static readonly byte[] Note = "example\n300\nroot\n\n— sig\n"u8.ToArray();

    /// <summary>The published checkpoint a test sets, and how often it was asked for.</summary>
    private sealed class Publication(long? size)
    {
        private PublishedCheckpoint? _current = Of(size);
        private int _asked;

        private static PublishedCheckpoint? Of(long? size) => size is { } s ? new PublishedCheckpoint(s, Note) : null;

        public long? Size
        {
            set => Volatile.Write(ref _current, Of(value));
        }

        public int Asked => Volatile.Read(ref _asked);
        public CancellationToken LastCancel { get; private set; }

        public ValueTask<PublishedCheckpoint?> Current(CancellationToken cancel)
        {
            Interlocked.Increment(ref _asked);
            LastCancel = cancel;
            return new(Volatile.Read(ref _current));
        }
    }

    private static StoredFiles Files(ScriptedLogReader reader, Publication published, TileMemoryCache? cache, ILogger? logger = null) =>
        new(reader, published.Current, cache, logger ?? NullLogger.Instance);

    private static StoredFiles Files(ScriptedLogReader reader, long? size, TileMemoryCache? cache = null, ILogger? logger = null) =>
        Files(reader, new Publication(size), cache, logger);

    private static TileAddress At(string path)
    {
        Assert.True(TileAddress.TryParse(path, out var address), path);
        return address;
    }

    private static Task<ReadResult> Read(StoredFiles files, string path, CancellationToken cancel = default)
    {
        Assert.True(ReadRoute.TryParse("/" + path, out var route), path);
        return files.ReadAsync(route, Encoding.ASCII.GetBytes(path), cancel).AsTask();
    }

    private static byte[] Bytes(int length, int seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + seed)).ToArray();

    /// <summary>A reader holding <paramref name="path"/>, and what it holds there.</summary>
    private static (ScriptedLogReader Reader, byte[] Stored) ReaderWith(string path, int length = 8192)
    {
        var reader = new ScriptedLogReader();
        byte[] stored = Bytes(length, path.Length);
        reader.Store(At(path), stored);
        return (reader, stored);
    }

    private static void AssertFound(byte[] expected, ReadResult result)
    {
        Assert.Equal(ReadStatus.Found, result.Status);
        Assert.False(result.IsCheckpoint);
        Assert.Equal(-1, result.Fd);
        Assert.Equal(expected, result.Body);
        Assert.Equal(expected.Length, result.Length);
    }

    [Fact]
    public async Task ACosignedCheckpointInStorage_IsServedByteForByte()
    {
        // A log with witnesses stores its checkpoint with their lines after its own.
        byte[] note = Encoding.UTF8.GetBytes(TestWitness.CosignedTesseraCheckpoint());
        var reader = new ScriptedLogReader { Checkpoint = note };
        var stored = new StoredCheckpoint(reader, TimeSpan.Zero);
        using var files = new StoredFiles(reader, stored.CurrentAsync, null, NullLogger.Instance);

        var result = await Read(files, "checkpoint");

        Assert.True(result.IsCheckpoint);
        Assert.Equal(note, result.Body);
    }

    [Fact]
    public async Task TheCheckpoint_IsThePublishedNote_WithoutReadingStorage()
    {
        var reader = new ScriptedLogReader { Checkpoint = "something else\n"u8.ToArray() };
        var published = new Publication(300);
        using var files = Files(reader, published, cache: null);
        using var cts = new CancellationTokenSource();
        var result = await Read(files, "checkpoint", cts.Token);
        Assert.Equal(ReadStatus.Found, result.Status);
        Assert.True(result.IsCheckpoint);
        Assert.Same(Note, result.Body);
        Assert.Equal(Note.Length, result.Length);
        Assert.Equal(-1, result.Fd);
        Assert.Equal(cts.Token, published.LastCancel);
        Assert.Equal(0, reader.CheckpointReads);
        Assert.Empty(reader.Reads);
    }

    [Fact]
    public async Task BeforeAnyPublication_NothingIsServed_NorRead()
    {
        var (reader, _) = ReaderWith("tile/0/000.p/1", 32);
        using var files = Files(reader, size: null);
        Assert.Equal(ReadStatus.NotFound, (await Read(files, "checkpoint")).Status);
        Assert.Equal(ReadStatus.NotFound, (await Read(files, "tile/0/000.p/1")).Status);
        Assert.Empty(reader.Reads);
    }

    [Theory]
    [InlineData("tile/0/001")] // 300 entries fill only tile 0
    [InlineData("tile/entries/001")]
    [InlineData("tile/0/001.p/45")] // wider than published
    [InlineData("tile/entries/001.p/45")]
    [InlineData("tile/1/000.p/2")]
    [InlineData("tile/0/002.p/1")]
    [InlineData("tile/2/000.p/1")] // 300 leaves have one hash at level 1, none at level 2
    public async Task TilesTheCheckpointDoesNotImply_AreNotFound_WithoutReading(string path)
    {
        var (reader, _) = ReaderWith(path);
        using var files = Files(reader, 300, new TileMemoryCache(1 << 20));
        Assert.Equal(ReadStatus.NotFound, (await Read(files, path)).Status);
        Assert.Empty(reader.Reads);
    }

    [Theory]
    [InlineData("tile/0/000", false)]
    [InlineData("tile/0/001.p/44", false)]
    [InlineData("tile/0/001.p/10", false)] // an older partial stays valid
    [InlineData("tile/1/000.p/1", false)]
    [InlineData("tile/entries/000", true)]
    [InlineData("tile/entries/001.p/44", true)]
    public async Task HashTiles_AndEntryBundles_GoToTheirOwnReads(string path, bool bundle)
    {
        var (reader, stored) = ReaderWith(path, 100);
        using var files = Files(reader, 300);
        AssertFound(stored, await Read(files, path));
        var read = Assert.Single(reader.Reads);
        Assert.Equal(bundle, read.Bundle);
        Assert.Equal(At(path), read.Address);
    }

    [Fact]
    public async Task ATileRead_IsKept_AndLaterRequestsAreServedFromMemory()
    {
        var (reader, stored) = ReaderWith("tile/0/000");
        var cache = new TileMemoryCache(1 << 20);
        using var files = Files(reader, 300, cache);
        var first = await Read(files, "tile/0/000");
        AssertFound(stored, first);
        Assert.True(cache.TryGet(At("tile/0/000"), out var kept));
        Assert.Same(first.Body, kept);
        reader.Remove(At("tile/0/000")); // what was published stays valid once read
        var second = await Read(files, "tile/0/000");
        Assert.Same(first.Body, second.Body);
        Assert.Single(reader.Reads);
        // Kept under its own address only: a bundle of the same index is another object.
        reader.Store(At("tile/entries/000"), Bytes(600, 1));
        AssertFound(Bytes(600, 1), await Read(files, "tile/entries/000"));
        Assert.Equal(2, reader.Reads.Count);
    }

    [Fact]
    public async Task WithoutACache_EveryRequestReads()
    {
        var (reader, stored) = ReaderWith("tile/0/000");
        using var files = Files(reader, 300, cache: null);
        for (int i = 0; i < 3; i++)
            AssertFound(stored, await Read(files, "tile/0/000"));
        Assert.Equal(3, reader.Reads.Count);
    }

    [Fact]
    public async Task ItemsAboveMaxItemBytes_AreServed_ButReadEachTime()
    {
        var reader = new ScriptedLogReader();
        reader.Store(At("tile/entries/000"), Bytes(1001, 1));
        reader.Store(At("tile/entries/001.p/44"), Bytes(1000, 2));
        var cache = new TileMemoryCache(1 << 20, maxItemBytes: 1000);
        using var files = Files(reader, 300, cache);
        for (int i = 0; i < 2; i++)
        {
            AssertFound(Bytes(1001, 1), await Read(files, "tile/entries/000"));
            AssertFound(Bytes(1000, 2), await Read(files, "tile/entries/001.p/44"));
        }
        Assert.Equal(2, reader.Reads.Count(r => r.Address == At("tile/entries/000")));
        Assert.Equal(1, reader.Reads.Count(r => r.Address == At("tile/entries/001.p/44")));
        Assert.False(cache.TryGet(At("tile/entries/000"), out _));
        Assert.Equal(1000, cache.Bytes);
    }

    [Fact]
    public async Task APartOfALargerBuffer_IsServedExactly()
    {
        var reader = new ScriptedLogReader();
        byte[] buffer = Bytes(10_000, 7);
        reader.Store(At("tile/0/000"), buffer.AsMemory(100, 8192));
        var cache = new TileMemoryCache(1 << 20);
        using var files = Files(reader, 300, cache);
        AssertFound(buffer[100..8292], await Read(files, "tile/0/000"));
        Assert.Equal(8192, cache.Bytes);
        // A whole array is served as it is, without a copy.
        reader.Store(At("tile/entries/000"), buffer);
        Assert.Same(buffer, (await Read(files, "tile/entries/000")).Body);
    }

    [Fact]
    public async Task ConcurrentRequests_ShareOneRead()
    {
        var (reader, stored) = ReaderWith("tile/0/000");
        var cache = new TileMemoryCache(1 << 20);
        using var files = Files(reader, 300, cache);
        var release = reader.HoldReads();
        // Started on pool threads: each outer task ends once its request waits on the read.
        var started = Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(
            () => Read(files, "tile/0/000"), CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default)).ToList();
        var requests = await Task.WhenAll(started);
        Assert.Single(reader.Reads);
        Assert.All(requests, r => Assert.False(r.IsCompleted));
        release.SetResult();
        var results = await Task.WhenAll(requests);
        Assert.All(results, r => AssertFound(stored, r));
        Assert.All(results, r => Assert.Same(results[0].Body, r.Body));
        Assert.Single(reader.Reads);
        // Once answered, the read is over: the next request comes from memory.
        Assert.Same(results[0].Body, (await Read(files, "tile/0/000")).Body);
        Assert.Single(reader.Reads);
    }

    [Fact]
    public async Task ARequesterGivingUp_DoesNotCancelTheReadForTheOthers()
    {
        var (reader, stored) = ReaderWith("tile/entries/001.p/44", 300);
        using var files = Files(reader, 300, cache: null);
        var release = reader.HoldReads();
        using var leaving = new CancellationTokenSource();
        var left = Read(files, "tile/entries/001.p/44", leaving.Token);
        var staying = Read(files, "tile/entries/001.p/44");
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        var read = Assert.Single(reader.Reads);
        Assert.False(read.Cancel.IsCancellationRequested, "the shared read got the leaving request's cancellation");
        Assert.NotEqual(leaving.Token, read.Cancel);
        Assert.False(staying.IsCompleted);
        // One that comes while the read runs joins it.
        var late = Read(files, "tile/entries/001.p/44");
        release.SetResult();
        AssertFound(stored, await staying);
        AssertFound(stored, await late);
        Assert.Single(reader.Reads);
    }

    [Fact]
    public async Task AReadWhoseOnlyRequesterLeft_StillEnds_AndIsKept()
    {
        var (reader, stored) = ReaderWith("tile/0/000");
        var cache = new TileMemoryCache(1 << 20);
        using var files = Files(reader, 300, cache);
        var release = reader.HoldReads();
        using var leaving = new CancellationTokenSource();
        var left = Read(files, "tile/0/000", leaving.Token);
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        release.SetResult();
        await Eventually.True(() => cache.TryGet(At("tile/0/000"), out _), "the abandoned read is kept");
        AssertFound(stored, await Read(files, "tile/0/000"));
        Assert.Single(reader.Reads);
    }

    /// <summary>How a read fails, and whether that is damage (else a plain failure).</summary>
    public static TheoryData<string, bool> Failures() => new()
    {
        { "missing", true },
        { "damaged", true },
        { "io", false },
        { "timeout", false },
        { "other", false },
    };

    private static void Break(ScriptedLogReader reader, string how, TileAddress address)
    {
        switch (how)
        {
            case "missing":
                reader.Remove(address); // the reader's own FileNotFoundException
                break;
            case "damaged":
                reader.Failure = new LogStateException("tile/0/000: 8191 bytes is no tile of 256 hashes");
                break;
            case "io":
                reader.Failure = new IOException("connection reset by peer");
                break;
            case "timeout":
                reader.Failure = new TaskCanceledException("the bucket did not answer in time");
                break;
            default:
                reader.Failure = new InvalidOperationException("unexpected answer from the bucket");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AFailedRead_IsAnswered_NotKept_AndReadAgainByTheNextRequest(string how, bool damage)
    {
        var expected = damage ? ReadStatus.Damaged : ReadStatus.Failed;
        var (reader, stored) = ReaderWith("tile/0/000");
        var cache = new TileMemoryCache(1 << 20);
        using var files = Files(reader, 300, cache);
        Break(reader, how, At("tile/0/000"));
        var failed = await Read(files, "tile/0/000");
        Assert.Equal(expected, failed.Status);
        Assert.Null(failed.Body);
        Assert.Equal(-1, failed.Fd);
        Assert.False(cache.TryGet(At("tile/0/000"), out _));
        Assert.Equal(0, cache.Bytes);
        Assert.Equal(expected, (await Read(files, "tile/0/000")).Status);
        Assert.Equal(2, reader.Reads.Count);

        reader.Failure = null;
        reader.Store(At("tile/0/000"), stored);
        AssertFound(stored, await Read(files, "tile/0/000"));
        Assert.Equal(3, reader.Reads.Count);
    }

    [Fact]
    public async Task ASharedReadThatFails_FailsEveryRequestWaitingOnIt_Once()
    {
        var (reader, stored) = ReaderWith("tile/0/000");
        using var files = Files(reader, 300, new TileMemoryCache(1 << 20));
        var release = reader.HoldReads();
        reader.Failure = new IOException("connection reset by peer");
        var requests = Enumerable.Range(0, 4).Select(_ => Read(files, "tile/0/000")).ToList();
        release.SetResult();
        Assert.All(await Task.WhenAll(requests), r => Assert.Equal(ReadStatus.Failed, r.Status));
        Assert.Single(reader.Reads);
        reader.OpenGates();
        reader.Failure = null;
        AssertFound(stored, await Read(files, "tile/0/000"));
        Assert.Equal(2, reader.Reads.Count);
    }

    [Fact]
    public async Task Failures_AreLogged_WithTheirPathAndReason_AndThrottled()
    {
        var reader = new ScriptedLogReader();
        var logger = new CapturingLogger();
        using var files = Files(reader, 300, new TileMemoryCache(1 << 20), logger);
        Assert.Equal(ReadStatus.Damaged, (await Read(files, "tile/entries/001.p/44")).Status);
        reader.Failure = new IOException("connection reset by peer");
        for (int i = 0; i < 5; i++)
            Assert.Equal(ReadStatus.Failed, (await Read(files, "tile/0/000")).Status);
        // One line per throttle interval: the first failure's; the five after it are held back.
        var line = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Equal(221, line.EventId);
        Assert.Contains("tile/entries/001.p/44", line.Message);
        Assert.Contains("missing although the published checkpoint implies it", line.Message);
    }

    [Fact]
    public async Task TheCheckpointIsAskedPerRequest_SoATileIsServedOnceItIsPublished()
    {
        var (reader, stored) = ReaderWith("tile/0/000");
        var published = new Publication(255);
        using var files = Files(reader, published, new TileMemoryCache(1 << 20));
        Assert.Equal(ReadStatus.NotFound, (await Read(files, "tile/0/000")).Status);
        Assert.Empty(reader.Reads);
        published.Size = 256;
        AssertFound(stored, await Read(files, "tile/0/000"));
        Assert.Equal(2, published.Asked);
    }
}
