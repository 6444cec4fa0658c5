using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http;
using RekorPosix.Log;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>The aws flavour's start-up refusals: one line naming the flag at fault (before any
/// connection is made when the settings alone are wrong), never the database password; and its
/// read-only mode.</summary>
public sealed class FlavourTests
{
    private const string Dsn = "rekor:s3cr3t-Pa55@tcp(127.0.0.1:1)/sequencer";

    private static async Task<string> RefusalAsync(ServeSettings settings) =>
        (await Assert.ThrowsAsync<ArgumentException>(() => Flavour.OpenAsync(settings, TestLogKey.Signer(), null, NullLoggerFactory.Instance))).Message;

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
            TestLogKey.Signer(), null, NullLoggerFactory.Instance);
        Assert.Null(served.Log);
        Assert.Null(served.Appender);
    }

    [Fact]
    public async Task AnUnreachableDatabase_IsAnIOErrorNamingTheFlag_WithoutThePassword()
    {
        var e = await Assert.ThrowsAsync<IOException>(() => Flavour.OpenAsync(With(new StorageSettings { Bucket = CloudRig.NewBucket(), MySqlDsn = Dsn }),
            TestLogKey.Signer(), null, NullLoggerFactory.Instance));
        Assert.StartsWith("the database (--aws-mysql-dsn): ", e.Message);
        Assert.DoesNotContain("s3cr3t-Pa55", e.Message);
    }

    [Fact]
    public async Task AMissingBucket_IsAnIOErrorSayingSo()
    {
        var e = await Assert.ThrowsAsync<IOException>(() => Flavour.OpenAsync(With(new StorageSettings { Bucket = "nosuchbucket" + Guid.NewGuid().ToString("N")[..8], MySqlDsn = CloudRig.NewDatabase() }),
            TestLogKey.Signer(), null, NullLoggerFactory.Instance));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public async Task ReadOnly_WithABucket_ServesItsLog()
    {
        string bucket = CloudRig.NewBucket();
        byte[] note = System.Text.Encoding.UTF8.GetBytes($"example.test/log\n0\n{Convert.ToBase64String(new byte[32])}\n\n\u2014 example.test/log AAAAAAAAAAA=\n");
        using (var s3 = CloudRig.S3())
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "checkpoint", InputStream = new MemoryStream(note), UseChunkEncoding = false });

        await using var served = await Flavour.OpenAsync(With(new StorageSettings { Bucket = bucket, MySqlDsn = Dsn }) with { ReadOnly = true },
            TestLogKey.Signer(), null, NullLoggerFactory.Instance);

        Assert.Null(served.Log);
        var read = await served.Files!.ReadAsync(Tiles.ReadRoute.Checkpoint, default, CancellationToken.None);
        Assert.Equal(note, read.Body);
        var tile = await served.Files.ReadAsync(new Tiles.ReadRoute(false, new Tiles.TileAddress(0, 0, 1)), default, CancellationToken.None);
        Assert.Equal(Http.ReadPath.ReadStatus.NotFound, tile.Status);
    }
}
