using Amazon.S3;
using MySqlConnector;
using RekorPosix.Log;
using RekorPosix.Log.Aws;
using RekorPosix.Log.Cloud;
using RekorPosix.Log.S3;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>Checkpoint history as bucket objects (the rig's s3rver): the contract, and the object's
/// own metadata.</summary>
public sealed class BucketCheckpointHistoryTests : CheckpointHistoryContractTests
{
    private readonly string _dsn = CloudRig.NewDatabase();
    private readonly string _bucket = CloudRig.NewBucket();
    private readonly AmazonS3Client _s3 = CloudRig.S3();
    private readonly List<MySqlDataSource> _databases = [];

    protected override ILogDriver OpenKeepingHistory()
    {
        var database = new MySqlDataSource(Flavour.ConnectionString(new StorageSettings { MySqlDsn = _dsn }));
        _databases.Add(database);
        var bucket = new Bucket(CloudRig.S3(), _bucket);
        return new AwsStorage(new Coordinator(database), bucket, maxOutstanding: 1 << 30, history: new BucketCheckpointHistory(bucket));
    }

    protected override ICheckpointHistory History() => new BucketCheckpointHistory(new Bucket(CloudRig.S3(), _bucket));

    protected override byte[]? Stored(string path) =>
        new Bucket(_s3, _bucket).ReadAsync(path, CancellationToken.None).GetAwaiter().GetResult();

    protected override void Cleanup()
    {
        foreach (var database in _databases)
            database.Dispose();
        _s3.Dispose();
    }

    [Fact]
    public async Task AKeptNote_IsPlainTextCachedForGood()
    {
        var note = PublishedCheckpoint.FromNote(TestLogKey.Signer().Sign(TreeHead.Empty));
        await History().KeepAsync(note, CancellationToken.None);

        var head = await _s3.GetObjectMetadataAsync(_bucket, "checkpoints/000");
        Assert.Equal("text/plain; charset=utf-8", head.Headers.ContentType);
        Assert.Equal("max-age=604800,immutable", head.Headers.CacheControl.Replace(" ", ""));
    }
}
