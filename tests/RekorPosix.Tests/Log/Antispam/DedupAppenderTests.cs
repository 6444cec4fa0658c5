using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Antispam;

public class DedupAppenderTests
{
    private static readonly Func<Microsoft.Extensions.Logging.ILogger, IDedupIndex> NoIndex = _ => throw new InvalidOperationException("in-memory only");
    private static readonly AntispamOptions InMemoryOnly = new() { Persistent = false };
    private static readonly AntispamOptions Persistent = new() { PollInterval = TimeSpan.FromMilliseconds(20) };
    private static readonly AppendOptions FastLog = new()
    {
        BatchMaxAge = TimeSpan.FromMilliseconds(5),
        CheckpointInterval = TimeSpan.FromMilliseconds(100),
    };

    private static byte[] Entry(int i) => Encoding.UTF8.GetBytes($"{{\"entry\":{i}}}");

    private static Task<LogIndex> Add(DedupAppender appender, byte[] entry, CancellationToken cancel = default) =>
        appender.AddAsync(entry, SHA256.HashData(entry), cancel);

    // ---- over a scripted log --------------------------------------------------------------------

    [Fact]
    public async Task ARepeat_IsADuplicateWithTheOriginalIndex_AndIsNotAppended()
    {
        var log = new FakeLog();
        await using var appender = await DedupAppender.OpenAsync(NoIndex, log, InMemoryOnly, NullLogger.Instance);
        Assert.Equal(new LogIndex(0, false), await Add(appender, Entry(1)));
        Assert.Equal(new LogIndex(1, false), await Add(appender, Entry(2)));
        Assert.Equal(new LogIndex(0, true), await Add(appender, Entry(1)));
        Assert.Equal(new LogIndex(0, true), await appender.AddAsync(Entry(1), CancellationToken.None));
        Assert.Equal(2, log.Added.Count);
        Assert.False(appender.IsPersistent);
    }

    [Fact]
    public async Task ARepeatWhileTheFirstIsInFlight_GetsTheSameIndex()
    {
        var log = new FakeLog();
        var first = new TaskCompletionSource<long>();
        log.Next.Enqueue(() => first.Task);
        await using var appender = await DedupAppender.OpenAsync(NoIndex, log, InMemoryOnly, NullLogger.Instance);
        var a = Add(appender, Entry(1));
        var b = Add(appender, Entry(1));
        Assert.False(b.IsCompleted);
        first.SetResult(41);
        Assert.Equal(new LogIndex(41, false), await a);
        Assert.Equal(new LogIndex(41, true), await b);
        Assert.Single(log.Added);
    }

    [Fact]
    public async Task AFailedFirstAdd_CanBeRetried()
    {
        var log = new FakeLog();
        log.Next.Enqueue(() => throw new PushbackException("queue full"));
        await using var appender = await DedupAppender.OpenAsync(NoIndex, log, InMemoryOnly, NullLogger.Instance);
        await Assert.ThrowsAsync<PushbackException>(() => Add(appender, Entry(1)));
        Assert.Equal(new LogIndex(0, false), await Add(appender, Entry(1)));
        Assert.Equal(2, log.Added.Count);
    }

    [Fact]
    public async Task ACancelledCaller_StopsWaiting_ButARepeatLearnsTheIndex()
    {
        var log = new FakeLog();
        var first = new TaskCompletionSource<long>();
        log.Next.Enqueue(() => first.Task);
        await using var appender = await DedupAppender.OpenAsync(NoIndex, log, InMemoryOnly, NullLogger.Instance);
        using var cancel = new CancellationTokenSource();
        var a = Add(appender, Entry(1), cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a);
        first.SetResult(9);
        Assert.Equal(new LogIndex(9, true), await Add(appender, Entry(1)));
        Assert.Single(log.Added);
    }

    [Fact]
    public async Task ABadIdentity_IsRefused_AndNothingIsAppended()
    {
        var log = new FakeLog();
        await using var appender = await DedupAppender.OpenAsync(NoIndex, log, InMemoryOnly, NullLogger.Instance);
        await Assert.ThrowsAsync<ArgumentException>(() => appender.AddAsync(Entry(1), new byte[20], CancellationToken.None));
        Assert.Empty(log.Added);
    }

    /// <summary>The size limit is the log's alone: its refusal reaches the caller, and is not
    /// remembered as the entry's answer.</summary>
    [Fact]
    public async Task TheLogsRefusalOfAnOversizedEntry_IsPassedOn_AndNotRemembered()
    {
        var log = new FakeLog();
        log.Next.Enqueue(() => throw new EntryTooLargeException(65536));
        await using var appender = await DedupAppender.OpenAsync(NoIndex, log, InMemoryOnly, NullLogger.Instance);
        var refused = await Assert.ThrowsAsync<EntryTooLargeException>(() => Add(appender, Entry(1)));
        Assert.Equal(65536, refused.Length);
        Assert.Equal(new LogIndex(0, false), await Add(appender, Entry(1)));
        Assert.Equal(2, log.Added.Count);
    }

    [Fact]
    public async Task AnEntryTheFollowerIndexed_IsADuplicate_WithoutTouchingTheLog()
    {
        using var dir = new TempDir();
        var entries = Enumerable.Range(0, 300).Select(Entry).ToArray();
        var log = new FakeLog(new MemoryLogReader(entries));
        await using var appender = await DedupAppender.OpenAsync(Flavour.DedupIndex(dir.Path), log, Persistent, NullLogger.Instance);
        Assert.True(appender.IsPersistent);
        await Eventually.True(() => appender.FollowerNextIndex == 300, "the follower caught up");
        Assert.Equal(new LogIndex(257, true), await Add(appender, entries[257]));
        Assert.Empty(log.Added);
    }

    [Fact]
    public async Task RightAfterOpen_AnEntryAlreadyInTheLog_IsADuplicate()
    {
        using var dir = new TempDir();
        var entries = Enumerable.Range(0, 1000).Select(Entry).ToArray();
        var log = new FakeLog(new MemoryLogReader(entries));
        // A fresh index a thousand entries behind: within the threshold, so Open indexes them itself.
        await using var appender = await DedupAppender.OpenAsync(Flavour.DedupIndex(dir.Path), log, Persistent with { PollInterval = TimeSpan.FromHours(1) }, NullLogger.Instance);
        Assert.Equal(new LogIndex(999, true), await Add(appender, entries[999]));
        Assert.Empty(log.Added);
    }

    [Fact]
    public async Task TheLogsIntegratedEvent_WakesTheFollower()
    {
        using var dir = new TempDir();
        var reader = new MemoryLogReader();
        var log = new FakeLog(reader);
        await using var appender = await DedupAppender.OpenAsync(Flavour.DedupIndex(dir.Path), log, Persistent with { PollInterval = TimeSpan.FromHours(1) }, NullLogger.Instance);
        reader.Append(Entry(0), Entry(1));
        log.RaiseIntegrated(2);
        await Eventually.True(() => appender.FollowerNextIndex == 2, "the follower indexed the new entries");
        Assert.Equal(new LogIndex(1, true), await Add(appender, Entry(1)));
        Assert.Empty(log.Added);
    }

    [Fact]
    public async Task WhileTheFollowerLagsPastTheThreshold_EveryAddIsPushedBack_DuplicatesToo()
    {
        using var dir = new TempDir();
        var reader = new MemoryLogReader { FailReads = new IOException("tile store unreachable") };
        var log = new FakeLog(reader);
        await using var appender = await DedupAppender.OpenAsync(Flavour.DedupIndex(dir.Path), log, Persistent with { PushbackThreshold = 10 }, NullLogger.Instance);
        Assert.Equal(new LogIndex(0, false), await Add(appender, Entry(1)));
        reader.Claim(11);
        await Eventually.True(() => appender.PushbackActive, "pushback started");
        Assert.Equal(11, appender.FollowerLag);
        await Assert.ThrowsAsync<PushbackException>(() => Add(appender, Entry(2)));
        await Assert.ThrowsAsync<PushbackException>(() => Add(appender, Entry(1)));
        Assert.Single(log.Added);
    }

    [Fact]
    public async Task WhenNoIndexCanBeCreated_DuplicatesAreCaughtInMemory_AndAnErrorIsLogged()
    {
        using var dir = new TempDir();
        // A directory where the database file should be: SQLite cannot open it, and it is not ours to move.
        Directory.CreateDirectory(dir[".state/antispam.db"]);
        var logger = new CapturingLogger();
        var log = new FakeLog();
        await using var appender = await DedupAppender.OpenAsync(Flavour.DedupIndex(dir.Path), log, Persistent, logger);
        Assert.False(appender.IsPersistent);
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Error && l.EventId == 507);
        await Add(appender, Entry(1));
        Assert.Equal(new LogIndex(0, true), await Add(appender, Entry(1)));
        Assert.True(Directory.Exists(dir[".state/antispam.db"]));
    }

    // ---- over a real POSIX log ------------------------------------------------------------------

    private sealed class Server : IAsyncDisposable
    {
        public required AppendLifecycle Log { get; init; }
        public required DedupAppender Appender { get; init; }

        public static async Task<Server> Start(string dir, AntispamOptions options)
        {
            var log = await Flavour.StartLogAsync(dir, TestLogKey.Signer(), FastLog, NullLogger.Instance);
            return new Server { Log = log, Appender = await DedupAppender.OpenAsync(Flavour.DedupIndex(dir), log, options, NullLogger.Instance) };
        }

        /// <summary>The order the server shuts down in: the log first, then the antispam follower
        /// (which indexes what the shutdown integrated).</summary>
        public async ValueTask DisposeAsync()
        {
            await Log.ShutdownAsync(CancellationToken.None);
            await Appender.DisposeAsync();
            await Log.DisposeAsync();
        }
    }

    [Fact]
    public async Task OverAPosixLog_ADuplicateGetsTheOriginalIndex_AlsoAfterARestart()
    {
        using var dir = new TempDir();
        await using (var server = await Server.Start(dir.Path, Persistent))
        {
            Assert.Equal(new LogIndex(0, false), await Add(server.Appender, Entry(0)));
            Assert.Equal(new LogIndex(1, false), await Add(server.Appender, Entry(1)));
            Assert.Equal(new LogIndex(0, true), await Add(server.Appender, Entry(0)));
        }
        await using (var server = await Server.Start(dir.Path, Persistent))
        {
            // Nothing in memory now: the answer comes from the index on disk.
            Assert.Equal(new LogIndex(1, true), await Add(server.Appender, Entry(1)));
            Assert.Equal(new LogIndex(0, true), await Add(server.Appender, Entry(0)));
            Assert.Equal(new LogIndex(2, false), await Add(server.Appender, Entry(2)));
            await Eventually.True(() => server.Log.IntegratedSize == 3, "the log integrated the third entry");
        }
    }

    [Fact]
    public async Task OverAPosixLog_700EntriesAcrossBundles_AreAllCaught_BeforeAndAfterARestart()
    {
        using var dir = new TempDir();
        var entries = Enumerable.Range(0, 700).Select(Entry).ToArray();
        LogIndex[] added;
        await using (var server = await Server.Start(dir.Path, Persistent))
        {
            added = await Task.WhenAll(entries.Select(e => Add(server.Appender, e))).WaitAsync(HangGuard.Timeout);
            Assert.All(added, a => Assert.False(a.IsDuplicate));
            Assert.Equal(Enumerable.Range(0, 700).Select(i => (long)i), added.Select(a => a.Index).Order());
            // Repeats, interleaved with new entries, while the follower is still indexing.
            var again = await Task.WhenAll(entries.Where((_, i) => i % 3 == 0).Select(e => Add(server.Appender, e)));
            Assert.All(again, a => Assert.True(a.IsDuplicate));
            await Eventually.True(() => server.Appender.FollowerNextIndex == 700, "the follower indexed the log");
            Assert.Equal(0, server.Appender.FollowerLag);
        }
        var indexOf = new Dictionary<string, long>();
        var storage = new PosixStorage(dir.Path);
        for (long bundle = 0; bundle * 256 < 700; bundle++)
        {
            var bundleEntries = RekorPosix.Tiles.EntryBundle.Parse(storage.Files.ReadEntryBundle(
                RekorPosix.Tiles.TileMath.EntryBundleAt(bundle, 700)!.Value));
            for (int i = 0; i < bundleEntries.Count; i++)
                indexOf[Encoding.UTF8.GetString(bundleEntries[i].Span)] = bundle * 256 + i;
        }
        await using (var server = await Server.Start(dir.Path, Persistent))
        {
            Assert.Equal(700, server.Appender.FollowerNextIndex);
            foreach (var entry in entries)
                Assert.Equal(new LogIndex(indexOf[Encoding.UTF8.GetString(entry)], true), await Add(server.Appender, entry));
            Assert.Equal(new LogIndex(700, false), await Add(server.Appender, Entry(700)));
        }
    }

    [Fact]
    public async Task OverAPosixLog_WithoutThePersistentIndex_ARestartForgets()
    {
        using var dir = new TempDir();
        await using (var server = await Server.Start(dir.Path, InMemoryOnly))
            await Add(server.Appender, Entry(0));
        await using (var server = await Server.Start(dir.Path, InMemoryOnly))
            Assert.Equal(new LogIndex(1, false), await Add(server.Appender, Entry(0)));
        Assert.False(File.Exists(dir[".state/antispam.db"]));
    }

    [Fact]
    public async Task OverAPosixLog_ADeletedIndex_IsRebuiltAndAnswersAsBefore()
    {
        using var dir = new TempDir();
        LogIndex[] added;
        await using (var server = await Server.Start(dir.Path, Persistent))
        {
            added = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Add(server.Appender, Entry(i))));
            Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), added.Select(a => a.Index).Order());
        }
        File.Delete(dir[".state/antispam.db"]);
        await using (var server = await Server.Start(dir.Path, Persistent))
        {
            await Eventually.True(() => server.Appender.FollowerNextIndex == 300, "the index was rebuilt");
            for (int i = 0; i < 300; i += 37)
                Assert.Equal(new LogIndex(added[i].Index, true), await Add(server.Appender, Entry(i)));
            Assert.Equal(new LogIndex(300, false), await Add(server.Appender, Entry(300)));
        }
    }
}
