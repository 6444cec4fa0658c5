using RekorPosix.Tiles;

namespace RekorPosix.Log.Cloud;

/// <summary>
/// Checkpoint history in the bucket: one object per tree size under <c>checkpoints/</c>, never
/// overwritten. The driver keeps a note inside the PubCoord transaction, which serialises the
/// publications of every server sharing the bucket, so looking for the object first and writing
/// it only when absent keeps the first note of a size; the write is create-only as well
/// (If-None-Match: *, or GCS's ifGenerationMatch=0) for the stores that honour it (S3, GCS; s3rver,
/// the aws test rig's, ignores it).
/// </summary>
internal sealed class BucketCheckpointHistory(IBucket bucket) : ICheckpointHistory
{
    /// <summary>As the checkpoint itself, written whole even when shutdown cancels the publication:
    /// a note cut off mid-body would be kept for good. The store client's own timeout bounds the wait.</summary>
    public async Task KeepAsync(PublishedCheckpoint checkpoint, CancellationToken cancel)
    {
        string key = CheckpointHistoryPath.For(checkpoint.Size);
        if (await bucket.ReadAsync(key, cancel).ConfigureAwait(false) is null)
            await bucket.TryCreateAsync(key, checkpoint.Note, "text/plain; charset=utf-8", CancellationToken.None).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<long> SizesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        await foreach (string key in bucket.ListKeysAsync(CheckpointHistoryPath.Prefix, cancel).ConfigureAwait(false))
        {
            if (CheckpointHistoryPath.TryParse(key, out long size))
                yield return size;
        }
    }

    public async ValueTask<byte[]?> ReadAsync(long treeSize, CancellationToken cancel) =>
        await bucket.ReadAsync(CheckpointHistoryPath.For(treeSize), cancel).ConfigureAwait(false);
}
