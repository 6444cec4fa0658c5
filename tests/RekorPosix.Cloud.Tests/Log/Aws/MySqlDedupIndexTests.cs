using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Aws;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>Antispam in the log's MySQL database: duplicates found after a restart, by a second
/// server, and the follower's position shared between servers.</summary>
public sealed class MySqlDedupIndexTests : IDisposable
{
    private static readonly AppendOptions Fast = new()
    {
        BatchMaxAge = TimeSpan.FromMilliseconds(5),
        CheckpointInterval = TimeSpan.FromMilliseconds(200),
    };

    private static readonly AntispamOptions Persistent = new() { PollInterval = TimeSpan.FromMilliseconds(20), MaxBatchSize = MySqlDedupIndex.DefaultMaxBatchSize };

    private readonly string _dsn = CloudRig.NewDatabase();
    private readonly string _bucket = CloudRig.NewBucket();
    private readonly List<MySqlDataSource> _databases = [];

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
        // Nothing in either process's memory: the answers come from AntispamIDSeq.
        Assert.Equal(new LogIndex(1, true), await Add(restarted.Appender, Entry(1)));
        Assert.Equal(new LogIndex(0, true), await Add(other.Appender, Entry(0)));
        Assert.Equal(new LogIndex(2, false), await Add(other.Appender, Entry(2)));
        await Eventually.True(() => restarted.Appender.FollowerNextIndex == 3 || other.Appender.FollowerNextIndex == 3, "a follower indexed the third");
        Assert.Equal(new LogIndex(2, true), await Add(restarted.Appender, Entry(2)));
    }

    private async Task<Server> StartAsync()
    {
        var builder = new MySqlConnectionStringBuilder();
        foreach (var (key, value) in GoMySqlDsn.Parse(_dsn).ToConnectionStringParts())
            builder[key] = value;
        var database = new MySqlDataSource(builder.ConnectionString);
        _databases.Add(database);
        var driver = new AwsStorage(new Coordinator(database), new Bucket(CloudRig.S3(), _bucket), maxOutstanding: 4096);
        var signer = TestLogKey.Signer();
        var log = await AppendLifecycle.StartAsync(driver, signer.Maker(), signer.CheckSameLog, Fast, NullLogger.Instance).WaitAsync(HangGuard.Timeout);
        var appender = await DedupAppender.OpenAsync(MySqlDedupIndex.In(database), log, Persistent, NullLogger.Instance);
        Assert.True(appender.IsPersistent);
        return new Server(log, appender);
    }

    public void Dispose()
    {
        foreach (var database in _databases)
            database.Dispose();
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
