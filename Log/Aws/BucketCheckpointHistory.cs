using RekorPosix.Tiles;

namespace RekorPosix.Log.Aws;

/// <summary>
/// Checkpoint history in the bucket: one object per tree size under <c>checkpoints/</c>, written
/// create-only, so the first note of a size stays and none is ever overwritten, by this server or
/// another sharing the bucket.
/// </summary>
internal sealed class BucketCheckpointHistory(Bucket bucket) : ICheckpointHistory
{
    /// <summary>As the checkpoint itself, written whole even when shutdown cancels the publication:
    /// a note cut off mid-body would be kept for good. The S3 client's own timeout bounds the wait.</summary>
    public Task KeepAsync(PublishedCheckpoint checkpoint, CancellationToken cancel) =>
        bucket.TryCreateAsync(CheckpointHistoryPath.For(checkpoint.Size), checkpoint.Note, "text/plain; charset=utf-8", CancellationToken.None);

    public async ValueTask<byte[]?> ReadAsync(long treeSize, CancellationToken cancel) =>
        await bucket.ReadAsync(CheckpointHistoryPath.For(treeSize), cancel).ConfigureAwait(false);
}
