using RekorPosix.Log;
using RekorPosix.Log.Cloud;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp;

/// <summary>Checkpoint history as objects in the GCS bucket (the in-process JSON API, which
/// enforces the create-only precondition s3rver ignores), kept by the gcp driver: the contract,
/// and the object's own metadata.</summary>
public sealed class GcsCheckpointHistoryTests : CheckpointHistoryContractTests
{
    private readonly GcpLogRig _rig = GcpLogRig.StartAsync().GetAwaiter().GetResult();

    protected override ILogDriver OpenKeepingHistory() =>
        new RekorPosix.Log.Gcp.GcpStorage(_rig.Coordinator(), _rig.Bucket(), maxOutstanding: 1 << 30, history: History());

    protected override ICheckpointHistory History() => new BucketCheckpointHistory(_rig.Bucket());

    protected override byte[]? Stored(string path) => _rig.Gcs.Get(path)?.Data;

    protected override void Cleanup() => _rig.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Fact]
    public async Task AKeptNote_IsPlainTextCachedForGood_AndNeverReplaced()
    {
        var note = PublishedCheckpoint.FromNote(TestLogKey.Signer().Sign(TreeHead.Empty));
        await History().KeepAsync(note, CancellationToken.None);
        var other = PublishedCheckpoint.FromNote(TestLogKey.Signer().Sign(TreeHead.Empty, ["another"]));
        await History().KeepAsync(other, CancellationToken.None);

        var stored = _rig.Gcs.Get("checkpoints/000")!;
        Assert.Equal("text/plain; charset=utf-8", stored.ContentType);
        Assert.Equal("max-age=604800,immutable", stored.CacheControl);
        Assert.Equal(note.Note, stored.Data);
    }
}
