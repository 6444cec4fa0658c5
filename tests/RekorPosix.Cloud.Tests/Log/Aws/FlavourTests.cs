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

    /// <summary>The aws flavour with history: raw entries added one by one (so that a checkpoint is
    /// published at each size), their leaf hashes in index order.</summary>
    private static async Task<List<byte[]>> AddOneByOneAsync(ServedLog served, int count)
    {
        var leaves = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            byte[] entry = System.Text.Encoding.UTF8.GetBytes($"entry {i} {Guid.NewGuid()}");
            long index = await served.Log!.AddAsync(entry, CancellationToken.None);
            await served.Log.AwaitPublicationAsync(index, CancellationToken.None).WaitAsync(HangGuard.Timeout);
            leaves.Add(Rfc9162Verifier.LeafHash(entry));
        }
        return leaves;
    }

    /// <summary>A route answered as the API port answers it, without a listener.</summary>
    private static async Task<(int Status, System.Text.Json.JsonElement Body, byte[] Raw)> GetAsync(ServedProofs proofs, string path, string query = "")
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString(query);
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget = path + query;
        context.Response.Body = new MemoryStream();
        var rest = new RestApi(null!, files: null, 1 << 20, NullLogger.Instance, proofs: proofs);
        await rest.HandleAsync(context);
        byte[] raw = ((MemoryStream)context.Response.Body).ToArray();
        var body = raw.Length > 0 && raw[0] == (byte)'{' ? System.Text.Json.JsonDocument.Parse(raw).RootElement.Clone() : default;
        return (context.Response.StatusCode, body, raw);
    }

    private static List<byte[]> Hashes(System.Text.Json.JsonElement body) =>
        body.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();

    private static byte[] Root(System.Text.Json.JsonElement body) => Convert.FromBase64String(body.GetProperty("rootHash").GetString()!);

    [Fact]
    public async Task WithHistory_EveryCheckpointLandsInTheBucket_AndTheProofRoutesAnswerFromIt()
    {
        string bucket = CloudRig.NewBucket();
        var settings = With(new StorageSettings { Bucket = bucket, MySqlDsn = CloudRig.NewDatabase() }) with { CheckpointHistory = true };
        await using var served = await Flavour.OpenAsync(settings, TestLogKey.Signer(), null, NullLoggerFactory.Instance);
        var leaves = await AddOneByOneAsync(served, 4);
        var latest = served.Log!.LatestCheckpoint!;

        using var s3 = CloudRig.S3();
        var kept = await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket, Prefix = "checkpoints/" });
        Assert.Contains("checkpoints/004", kept.S3Objects.Select(o => o.Key));
        var (historyStatus, _, note) = await GetAsync(served.Proofs!, "/api/v2/checkpoints/2");
        Assert.Equal(200, historyStatus);
        Assert.Equal(2, PublishedCheckpoint.FromNote(note).Size);
        // The tile port serves it at its key, as a kept note; not one beyond the published size.
        var onTilePort = await served.Files!.ReadAsync(new Tiles.ReadRoute(false, default, 2), default, CancellationToken.None);
        Assert.Equal(note, onTilePort.Body);
        Assert.Equal(Http.ReadPath.ReadKind.History, onTilePort.Kind);
        var beyond = await served.Files.ReadAsync(new Tiles.ReadRoute(false, default, latest.Size + 1), default, CancellationToken.None);
        Assert.Equal(Http.ReadPath.ReadStatus.NotFound, beyond.Status);

        var (status, inclusion, _) = await GetAsync(served.Proofs!, "/api/v2/proof/inclusion", $"?index=1&tree_size=3");
        Assert.Equal(200, status);
        Assert.True(Rfc9162Verifier.VerifyInclusion(1, 3, leaves[1], Hashes(inclusion), Root(inclusion)));
        var (consistencyStatus, consistency, _) = await GetAsync(served.Proofs!, "/api/v2/proof/consistency", "?first=2");
        Assert.Equal(200, consistencyStatus);
        byte[] firstRoot = PublishedCheckpoint.FromNote(note).Body().RootHash;
        Assert.True(Rfc9162Verifier.VerifyConsistency(2, latest.Size, firstRoot, Root(consistency), Hashes(consistency)));
        Assert.Equal(latest.Body().RootHash, Root(consistency));
    }

    [Fact]
    public async Task ReadOnly_WithABucket_AnswersProofsAndHistory_OverHttp()
    {
        string bucket = CloudRig.NewBucket();
        List<byte[]> leaves;
        var writer = With(new StorageSettings { Bucket = bucket, MySqlDsn = CloudRig.NewDatabase() }) with { CheckpointHistory = true };
        await using (var served = await Flavour.OpenAsync(writer, TestLogKey.Signer(), null, NullLoggerFactory.Instance))
            leaves = await AddOneByOneAsync(served, 3);

        await using var server = await RunningServer.StartAsync(s => s with { Storage = new StorageSettings { Bucket = bucket, MySqlDsn = Dsn }, ReadOnly = true });
        string json = await server.Http.GetStringAsync("/api/v2/proof/inclusion?index=0&tree_size=2");
        var inclusion = System.Text.Json.JsonDocument.Parse(json).RootElement;
        Assert.True(Rfc9162Verifier.VerifyInclusion(0, 2, leaves[0], Hashes(inclusion), Root(inclusion)));
        byte[] kept = await server.Http.GetByteArrayAsync("/api/v2/checkpoints/1");
        Assert.Equal(1, PublishedCheckpoint.FromNote(kept).Size);
        var consistency = System.Text.Json.JsonDocument.Parse(await server.Http.GetStringAsync("/api/v2/proof/consistency?first=1")).RootElement;
        Assert.True(Rfc9162Verifier.VerifyConsistency(1, 3, leaves[0], Root(consistency), Hashes(consistency)));
        using var tiles = new HttpClient { BaseAddress = server.TilesAddress, Timeout = HangGuard.Timeout };
        Assert.Equal(kept, await tiles.GetByteArrayAsync("/checkpoints/001"));
    }
}
