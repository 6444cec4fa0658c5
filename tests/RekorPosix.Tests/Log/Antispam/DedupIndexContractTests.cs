using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Antispam;

/// <summary>
/// What a persistent antispam index shared by the servers of one log must do, whichever database
/// keeps it (MySQL for aws and gcpcloudsql, Spanner for gcp): duplicates found after a restart and
/// by a second server, the follower's position shared between them. Subclassed per flavour with
/// its rig, as <see cref="DriverContractTests"/>.
/// </summary>
public abstract class DedupIndexContractTests
{
    private static readonly AppendOptions Fast = new()
    {
        BatchMaxAge = TimeSpan.FromMilliseconds(5),
        CheckpointInterval = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>tessera's batch size for the flavour's antispam follower.</summary>
    protected abstract int MaxBatchSize { get; }

    /// <summary>Another server's storage for this test's log, and how it opens the shared index.</summary>
    private protected abstract Task<(ILogDriver Driver, Func<ILogger, IDedupIndex> OpenIndex)> ServerStorageAsync();

    private static byte[] Entry(int i) => Encoding.UTF8.GetBytes($"{{\"dedup\":{i}}}");

    private static Task<LogIndex> Add(DedupAppender appender, byte[] entry) => appender.AddAsync(entry, SHA256.HashData(entry), CancellationToken.None);

    [Fact]
    public async Task ADuplicate_GetsTheOriginalIndex_AfterARestart_AndFromAnotherServer()
    {
        await using (var first = await StartAsync())
        {
            Assert.Equal(new LogIndex(0, false), await Add(first.Appender, Entry(0)));
            Assert.Equal(new LogIndex(1, false), await Add(first.Appender, Entry(1)));
            await Eventually.True(() => first.Appender.FollowerNextIndex == 2, "the follower indexed both entries");
        }
        await using var restarted = await StartAsync();
        await using var other = await StartAsync();
        // Nothing in either process's memory: the answers come from the shared index.
        Assert.Equal(new LogIndex(1, true), await Add(restarted.Appender, Entry(1)));
        Assert.Equal(new LogIndex(0, true), await Add(other.Appender, Entry(0)));
        Assert.Equal(new LogIndex(2, false), await Add(other.Appender, Entry(2)));
        await Eventually.True(() => restarted.Appender.FollowerNextIndex == 3 || other.Appender.FollowerNextIndex == 3, "a follower indexed the third");
        Assert.Equal(new LogIndex(2, true), await Add(restarted.Appender, Entry(2)));
    }

    private async Task<Server> StartAsync()
    {
        var (driver, openIndex) = await ServerStorageAsync();
        var signer = TestLogKey.Signer();
        var log = await AppendLifecycle.StartAsync(driver, signer.Maker(), signer.CheckSameLog, Fast, NullLogger.Instance).WaitAsync(HangGuard.Timeout);
        var options = new AntispamOptions { PollInterval = TimeSpan.FromMilliseconds(20), MaxBatchSize = MaxBatchSize };
        var appender = await DedupAppender.OpenAsync(openIndex, log, options, NullLogger.Instance);
        Assert.True(appender.IsPersistent);
        return new Server(log, appender);
    }

    private sealed record Server(AppendLifecycle Log, DedupAppender Appender) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Log.ShutdownAsync(CancellationToken.None);
            await Appender.DisposeAsync();
            await Log.DisposeAsync();
        }
    }
}
