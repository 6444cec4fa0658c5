using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http;
using RekorPosix.Log;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>The aws flavour's start-up refusals: one line naming the flag at fault, before any
/// connection is made, and never the database password.</summary>
public sealed class FlavourTests
{
    private const string Dsn = "rekor:s3cr3t-Pa55@tcp(127.0.0.1:1)/sequencer";

    private static async Task<string> RefusalAsync(ServeSettings settings) =>
        (await Assert.ThrowsAsync<ArgumentException>(() => Flavour.OpenAsync(settings, TestLogKey.Signer(), NullLoggerFactory.Instance))).Message;

    private static ServeSettings With(StorageSettings storage, TimeSpan? interval = null) => new()
    {
        Storage = storage,
        Append = new AppendOptions { CheckpointInterval = interval ?? TimeSpan.FromSeconds(1) },
    };

    [Fact]
    public async Task AMissingBucketOrDatabase_IsRefusedByFlagName()
    {
        Assert.Equal("--aws-bucket is required", await RefusalAsync(With(new StorageSettings { MySqlDsn = Dsn })));
        Assert.Equal("--aws-mysql-dsn is required", await RefusalAsync(With(new StorageSettings { Bucket = "b" })));
    }

    [Fact]
    public async Task ABadDsn_NamesTheFlag_WithoutThePassword()
    {
        string message = await RefusalAsync(With(new StorageSettings { Bucket = "b", MySqlDsn = "rekor:s3cr3t-Pa55@tcp(127.0.0.1:notaport)/sequencer" }));
        Assert.StartsWith("--aws-mysql-dsn: ", message);
        Assert.DoesNotContain("s3cr3t-Pa55", message);
    }

    [Fact]
    public async Task ACheckpointIntervalBelowOneSecond_IsRefused_AsTesserasAwsDriverDoes()
    {
        string message = await RefusalAsync(With(new StorageSettings { Bucket = "b", MySqlDsn = Dsn }, TimeSpan.FromMilliseconds(999)));
        Assert.Equal("--checkpoint-interval: requested 999ms is less than the minimum permitted 1s for this flavour (tessera's AWS driver)", message);
    }

    [Fact]
    public void ThePoolFlags_AreThePoolsMaximumAndMinimum()
    {
        var pool = new MySqlConnector.MySqlConnectionStringBuilder(
            Flavour.ConnectionString(new StorageSettings { MySqlDsn = Dsn, MaxOpenConnections = 16, MaxIdleConnections = 4 }));
        Assert.Equal(16u, pool.MaximumPoolSize);
        Assert.Equal(4u, pool.MinimumPoolSize);
    }

    [Fact]
    public async Task ReadOnly_ConnectsToNothing()
    {
        // No bucket, no database, nothing listening on port 1: read-only needs none of them.
        await using var served = await Flavour.OpenAsync(With(new StorageSettings { MySqlDsn = Dsn }) with { ReadOnly = true },
            TestLogKey.Signer(), NullLoggerFactory.Instance);
        Assert.Null(served.Log);
        Assert.Null(served.Appender);
    }
}
