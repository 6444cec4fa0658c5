using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log.Antispam;

public class AntispamFollowerTests
{
    private static readonly AntispamOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(20) };

    private static byte[] Entry(int i) => Encoding.UTF8.GetBytes($"entry {i}");

    private static byte[] Id(byte[] entry) => SHA256.HashData(entry);

    private static byte[][] Entries(int count) => Enumerable.Range(0, count).Select(Entry).ToArray();

    private static Task<AntispamFollower> Open(TempDir dir, MemoryLogReader reader, AntispamOptions? options = null, ILogger? logger = null) =>
        AntispamFollower.OpenAsync(Flavour.DedupIndex(dir.Path), reader, options ?? Fast, logger ?? NullLogger.Instance);

    private static async Task CaughtUp(AntispamFollower follower, long size) =>
        await Eventually.True(() => follower.NextIndex == size, $"the follower indexed {size} entries (it is at {follower.NextIndex})");

    /// <summary>The SQLite index answers on the caller's thread: its lookup is complete when returned.</summary>
    private static long? Find(AntispamFollower follower, byte[] identity)
    {
        var found = follower.FindAsync(identity);
        Assert.True(found.IsCompletedSuccessfully);
        return found.Result;
    }

    private static void AssertFindsEachAtItsIndex(AntispamFollower follower, byte[][] entries)
    {
        for (int i = 0; i < entries.Length; i++)
            Assert.Equal(i, Find(follower, Id(entries[i])));
    }

    [Fact]
    public async Task EveryEntry_IsFoundAtItsIndex_AcrossBundleBoundaries()
    {
        using var dir = new TempDir();
        var entries = Entries(700);
        await using var follower = await Open(dir, new MemoryLogReader(entries));
        await CaughtUp(follower, 700);
        AssertFindsEachAtItsIndex(follower, entries);
        Assert.Null(Find(follower, Id(Entry(700))));
        Assert.True(File.Exists(dir[".state/antispam.db"]));
    }

    [Fact]
    public async Task AnEntryInTheLogTwice_IsFoundAtItsFirstIndex()
    {
        using var dir = new TempDir();
        var entries = Entries(600);
        entries[300] = entries[3];
        entries[599] = entries[3];
        await using var follower = await Open(dir, new MemoryLogReader(entries), Fast with { MaxBatchSize = 100 });
        await CaughtUp(follower, 600);
        Assert.Equal(3, Find(follower, Id(entries[3])));
    }

    [Fact]
    public async Task AfterARestart_TheAnswersAreThere_WithoutReadingTheLogAgain()
    {
        using var dir = new TempDir();
        var entries = Entries(300);
        var reader = new MemoryLogReader(entries);
        await using (var follower = await Open(dir, reader))
            await CaughtUp(follower, 300);
        int reads = reader.Requests.Count;
        await using var reopened = await Open(dir, reader);
        Assert.Equal(300, reopened.NextIndex);
        AssertFindsEachAtItsIndex(reopened, entries);
        // Two more looks at the log's size: a whole round of the background loop has run since,
        // and read no bundle.
        int sizeReads = reader.SizeReads;
        await Eventually.True(() => reader.SizeReads >= sizeReads + 2, "the follower went round its loop once more");
        Assert.Equal(reads, reader.Requests.Count);
    }

    [Fact]
    public async Task Open_IndexesALagWithinTheThreshold_BeforeItReturns()
    {
        using var dir = new TempDir();
        var entries = Entries(700);
        var reader = new MemoryLogReader(entries.Take(100));
        await using (var follower = await Open(dir, reader))
            await CaughtUp(follower, 100);
        reader.Append(entries[100..]);
        await using var reopened = await Open(dir, reader, Fast with { PollInterval = TimeSpan.FromHours(1) });
        Assert.Equal(700, reopened.NextIndex);
        AssertFindsEachAtItsIndex(reopened, entries);
    }

    [Fact]
    public async Task ADeletedIndex_IsRebuiltFromTheBundles()
    {
        using var dir = new TempDir();
        var entries = Entries(520);
        var reader = new MemoryLogReader(entries);
        await using (var follower = await Open(dir, reader))
            await CaughtUp(follower, 520);
        File.Delete(dir[".state/antispam.db"]);
        await using var rebuilt = await Open(dir, reader);
        await CaughtUp(rebuilt, 520);
        AssertFindsEachAtItsIndex(rebuilt, entries);
    }

    [Fact]
    public async Task AGarbageIndex_IsRebuiltWithAWarning()
    {
        using var dir = new TempDir();
        var entries = Entries(520);
        var reader = new MemoryLogReader(entries);
        await using (var follower = await Open(dir, reader))
            await CaughtUp(follower, 520);
        File.WriteAllBytes(dir[".state/antispam.db"], RandomNumberGenerator.GetBytes(20_000));
        var logger = new CapturingLogger();
        await using var rebuilt = await Open(dir, reader, logger: logger);
        await CaughtUp(rebuilt, 520);
        AssertFindsEachAtItsIndex(rebuilt, entries);
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Warning && l.EventId == 501);
        Assert.True(File.Exists(dir[".state/antispam.db.bad"]));
    }

    [Fact]
    public async Task AnIndexDamagedInside_IsRebuiltOnceALookupMeetsTheDamage()
    {
        using var dir = new TempDir();
        var entries = Entries(5000);
        var reader = new MemoryLogReader(entries);
        await using (var follower = await Open(dir, reader))
            await CaughtUp(follower, 5000);
        Posix.Antispam.PersistentDedupIndexTests.DamageTheLastThird(dir[".state/antispam.db"]);
        var logger = new CapturingLogger();
        await using var reopened = await Open(dir, reader, logger: logger);
        Assert.Equal(5000, reopened.NextIndex);
        // Lookups answer "unknown" where they meet the damage, and get the follower to rebuild.
        foreach (var entry in entries.Where((_, i) => i % 50 == 0))
            Find(reopened, Id(entry));
        await Eventually.True(() => logger.Lines.Any(l => l.EventId == 501), "the index was moved aside");
        // The warning comes before the new file is built; wait for the answers, not for NextIndex.
        await Eventually.True(() => entries.Select((e, i) => Find(reopened, Id(e)) == i).All(ok => ok), "the index was rebuilt");
        Assert.Equal(5000, reopened.NextIndex);
        Assert.True(File.Exists(dir[".state/antispam.db.bad"]));
    }

    [Fact]
    public async Task AnIndexAheadOfTheLog_BelongsToAnotherLog_AndIsRebuilt()
    {
        using var dir = new TempDir();
        var old = Entries(300);
        await using (var follower = await Open(dir, new MemoryLogReader(old)))
            await CaughtUp(follower, 300);
        var fresh = Enumerable.Range(1000, 100).Select(Entry).ToArray();
        var logger = new CapturingLogger();
        await using var reopened = await Open(dir, new MemoryLogReader(fresh), logger: logger);
        await Eventually.True(() => logger.Lines.Any(l => l.EventId == 501), "the index was rebuilt");
        await CaughtUp(reopened, 100);
        AssertFindsEachAtItsIndex(reopened, fresh);
        Assert.Null(Find(reopened, Id(old[200])));
    }

    [Fact]
    public async Task Lag_IsWhatTheLogHasBeyondTheIndex_AndPushbackStartsPastTheThreshold()
    {
        using var dir = new TempDir();
        using var gate = new ManualResetEventSlim(false);
        var reader = new MemoryLogReader(Entries(3000)) { ReadGate = gate };
        await using var follower = await Open(dir, reader);
        await Eventually.True(() => follower.Lag == 3000, "the follower saw the log's size");
        Assert.True(follower.PushbackActive);
        gate.Set();
        await CaughtUp(follower, 3000);
        Assert.Equal(0, follower.Lag);
        Assert.False(follower.PushbackActive);
    }

    [Fact]
    public async Task Pushback_IsActiveOnlyAboveTheConfiguredThreshold()
    {
        using var dir = new TempDir();
        var reader = new MemoryLogReader(Entries(10));
        await using var follower = await Open(dir, reader, Fast with { PushbackThreshold = 100 });
        await CaughtUp(follower, 10);
        reader.FailReads = new IOException("tile store unreachable");
        reader.Claim(110);
        await Eventually.True(() => follower.Lag == 100, "the follower saw the claimed size");
        Assert.False(follower.PushbackActive);
        reader.Claim(111);
        await Eventually.True(() => follower.Lag == 101, "the follower saw the claimed size");
        Assert.True(follower.PushbackActive);
        // A notification raises the lag at once, without waiting for the next poll.
        follower.NotifyIntegrated(5000);
        Assert.Equal(4990, follower.Lag);
    }

    [Fact]
    public async Task WithTheDefaultThreshold_ALagOf2048IsAllowed_And2049IsNot()
    {
        using var dir = new TempDir();
        var reader = new MemoryLogReader() { FailReads = new IOException("down") };
        await using var follower = await Open(dir, reader);
        follower.NotifyIntegrated(AntispamOptions.DefaultPushbackThreshold);
        Assert.False(follower.PushbackActive);
        follower.NotifyIntegrated(AntispamOptions.DefaultPushbackThreshold + 1);
        Assert.True(follower.PushbackActive);
    }

    [Fact]
    public async Task AFailingRead_IsWarnedAboutOnce_RetriedWithoutSkipping_AndResumes()
    {
        using var dir = new TempDir();
        var entries = Entries(400);
        var reader = new MemoryLogReader(entries) { FailReads = new IOException("tile store unreachable") };
        var logger = new CapturingLogger();
        await using var follower = await Open(dir, reader, logger: logger);
        await Eventually.True(() => reader.FailedReads >= 3, "the read was retried");
        Assert.Equal(0, follower.NextIndex);
        Assert.Single(logger.Lines, l => l.EventId == 502);
        reader.FailReads = null;
        await CaughtUp(follower, 400);
        AssertFindsEachAtItsIndex(follower, entries);
        Assert.Contains(logger.Lines, l => l.EventId == 503);
    }

    [Fact]
    public async Task APartialBundle_IsReadAtItsWidth_AndTheRestOnceTheLogGrew()
    {
        using var dir = new TempDir();
        var entries = Entries(300);
        var reader = new MemoryLogReader(entries.Take(100));
        await using var follower = await Open(dir, reader, Fast with { PollInterval = TimeSpan.FromHours(1) });
        await CaughtUp(follower, 100);
        reader.Append(entries[100..]);
        follower.NotifyIntegrated(300);
        await CaughtUp(follower, 300);
        Assert.Equal(
            ["tile/entries/000.p/100", "tile/entries/000", "tile/entries/001.p/44"],
            reader.Requests.Select(a => a.ToPath()));
        AssertFindsEachAtItsIndex(follower, entries);
    }

    [Fact]
    public async Task EachTransaction_HoldsAtMostTheBatchSize()
    {
        using var dir = new TempDir();
        var logger = new CapturingLogger();
        await using var follower = await Open(dir, new MemoryLogReader(Entries(95)), Fast with { MaxBatchSize = 10 }, logger);
        await CaughtUp(follower, 95);
        var committed = logger.Lines.Where(l => l.EventId == 505).Select(l => long.Parse(l.Message.Split(' ')[^1])).ToList();
        Assert.Equal([10, 20, 30, 40, 50, 60, 70, 80, 90, 95], committed);
    }

    [Fact]
    public async Task AnotherProcessesAppends_AreSeenByPolling()
    {
        using var dir = new TempDir();
        var entries = Entries(50);
        var reader = new MemoryLogReader(entries.Take(10));
        await using var follower = await Open(dir, reader);
        await CaughtUp(follower, 10);
        reader.Append(entries[10..]);
        await CaughtUp(follower, 50);
        AssertFindsEachAtItsIndex(follower, entries);
    }

    [Fact]
    public async Task Dispose_FirstIndexesWhatTheLogHolds()
    {
        using var dir = new TempDir();
        var entries = Entries(600);
        var reader = new MemoryLogReader(entries.Take(100));
        var follower = await Open(dir, reader, Fast with { PollInterval = TimeSpan.FromHours(1) });
        await CaughtUp(follower, 100);
        reader.Append(entries[100..]);
        await follower.DisposeAsync();
        reader.FailReads = new IOException("no more reading");
        await using var reopened = await Open(dir, reader);
        Assert.Equal(600, reopened.NextIndex);
        AssertFindsEachAtItsIndex(reopened, entries);
    }

    [Fact]
    public async Task Dispose_DoesNotHang_WhenTheLogCannotBeRead()
    {
        using var dir = new TempDir();
        var reader = new MemoryLogReader(Entries(100)) { FailReads = new IOException("down") };
        // A drain timeout far beyond the hang guard: only not waiting for it ends Dispose in time.
        var follower = await Open(dir, reader, Fast with { DrainTimeout = TimeSpan.FromHours(1) });
        await Eventually.True(() => reader.FailedReads > 0, "a read failed");
        await follower.DisposeAsync().AsTask().WaitAsync(HangGuard.Timeout);
        Assert.Equal(0, follower.NextIndex);
    }

    [Fact]
    public async Task Dispose_GivesUpAfterTheDrainTimeout()
    {
        using var dir = new TempDir();
        using var gate = new ManualResetEventSlim(false);
        var reader = new MemoryLogReader(Entries(100)) { ReadGate = gate };
        var logger = new CapturingLogger();
        // A lag above the threshold, so that Open does not index (and wait for the gate) itself.
        var follower = await Open(dir, reader, Fast with { DrainTimeout = TimeSpan.FromMilliseconds(50), PushbackThreshold = 10 }, logger);
        await Eventually.True(() => follower.Lag == 100, "the follower saw the log");
        var disposing = follower.DisposeAsync().AsTask();
        await Eventually.True(() => logger.Lines.Any(l => l.EventId == 506), "the follower gave up");
        gate.Set();
        await disposing.WaitAsync(HangGuard.Timeout);
        await using var reopened = await Open(dir, new MemoryLogReader(Entries(100)) { FailReads = new IOException("down") });
        Assert.Equal(0, reopened.NextIndex);
    }
}
