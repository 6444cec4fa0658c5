using RekorPosix.Log.Cloud;
using RekorPosix.Log.S3;

namespace RekorPosix.Log.Aws;

/// <summary>
/// The MySQL + S3 storage driver (tessera's storage/aws, as rekor-tiles' rekor-server-aws and
/// rekor-server-gcpcloudsql run it): sequencing commits a batch to MySQL, integration writes the
/// bucket first and commits IntCoord last, publication is paced by PubCoord across every server,
/// and the tiles, bundles and checkpoint live in the bucket. Several servers may share one database
/// and bucket.
/// </summary>
/// <param name="makerTime">Time the checkpoint maker may take beyond signing (its witnesses),
/// added to the publication's budget.</param>
/// <param name="history">Where each published checkpoint is kept before it becomes the checkpoint
/// (<c>--checkpoint-history</c>); null: not kept.</param>
internal sealed class AwsStorage(Coordinator coordinator, Bucket bucket, long maxOutstanding, TimeSpan makerTime = default,
    ICheckpointHistory? history = null) : ILogDriver
{
    /// <summary>Bundles whose partials one GC run removes at most, as tessera bounds it.</summary>
    public const int MaxBundlesPerGcRun = 100;

    private readonly BucketLog _log = new(bucket, coordinator.ReadIntegratedAsync, history);
    // PubCoord's row when this process last found the bucket's checkpoint not frozen; written under
    // the SeqCoord row lock only.
    private volatile Coordinator.PublicationMark? _notFrozenAt;

    public ILogReader Reader => _log.Reader;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Creates or checks the schema; on a bucket without a checkpoint, a forced
    /// integration initialises the tree (and fails if the database holds a tree the bucket lost).
    /// Then the stored tree is checked as every driver checks it.</summary>
    public async Task<TreeHead> OpenAsync(CancellationToken cancel)
    {
        await coordinator.InitAsync(cancel).ConfigureAwait(false);
        if (await bucket.ReadAsync(IBucket.CheckpointKey, cancel).ConfigureAwait(false) is null)
            await coordinator.ConsumeAsync(IntegrateBatchesAsync(cancel), force: true, cancel).ConfigureAwait(false);
        var head = await coordinator.ReadIntegratedAsync(cancel).ConfigureAwait(false);
        await StoredTreeCheck.CheckAsync(_log.Reader, head, cancel).ConfigureAwait(false);
        await ThrowIfFrozenAsync("it takes no more entries", cancel).ConfigureAwait(false);
        return head;
    }

    /// <summary>Synchronous, on the caller's thread (see <see cref="Coordinator.Sequence"/>).</summary>
    public Task<long> SequenceAsync(IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancel)
    {
        try
        {
            ArgumentOutOfRangeException.ThrowIfZero(entries.Count);
            return Task.FromResult(coordinator.Sequence(entries.Count, _ => BucketLog.EncodeBatch(entries), maxOutstanding,
                mark => ThrowIfFrozenSince(mark, cancel)));
        }
        catch (Exception e)
        {
            return Task.FromException<long>(e);
        }
    }

    /// <summary>
    /// The freeze check of every batch, under the SeqCoord row lock. A freeze commits PubCoord
    /// before it lets go of that lock, and a forced publication always changes the row; so while the
    /// row is the one this process last saw with an unfrozen checkpoint, no freeze came since and
    /// the bucket is not asked. Reading the checkpoint for every batch put an object-store GET
    /// inside the lock each time, where it raced the publisher's overwrite of that object. When the
    /// row changed the GET is waited for on the sequencer's thread, about once per publication.
    /// </summary>
    private void ThrowIfFrozenSince(Coordinator.PublicationMark mark, CancellationToken cancel)
    {
        if (mark.Equals(_notFrozenAt))
            return;
        JobBudget.RunAsync("the freeze check of a batch", JobBudget.FreezeCheck, async budget =>
        {
            await ThrowIfFrozenAsync("refusing to add entries", budget).ConfigureAwait(false);
            return true;
        }, cancel).GetAwaiter().GetResult();
        _notFrozenAt = mark;
    }

    public Task<TreeHead> IntegrateAsync(CancellationToken cancel) =>
        JobBudget.RunAsync("integration", JobBudget.Integration,
            budget => coordinator.ConsumeAsync(IntegrateBatchesAsync(budget), force: false, budget), cancel);

    public Task<Publication> PublishAsync(PublicationPace pace, CheckpointMaker make, CancellationToken cancel) =>
        JobBudget.RunAsync("checkpoint publication", JobBudget.Publication + makerTime, budget => PublishWithinAsync(pace, make, budget), cancel);

    private async Task<Publication> PublishWithinAsync(PublicationPace pace, CheckpointMaker make, CancellationToken cancel)
    {
        var current = ThrowIfFinal(await ReadPublishedAsync(cancel).ConfigureAwait(false));
        PublishedCheckpoint? written = null;
        var (published, next, publishedSize) = await coordinator.PublishAsync(pace,
            async head => written = await MakeAndStoreAsync(head, current, make, cancel).ConfigureAwait(false), cancel).ConfigureAwait(false);
        if (published)
            return new Publication(true, written, next);
        // Another server published while this one waited for the PubCoord lock: the checkpoint it
        // stored, not the one read before the wait, is current, and the caller hands it to the
        // requests waiting here. (Servers whose publishers wake at the same second otherwise keep
        // reporting the older one, and one server's requests wait until it publishes itself.)
        if (publishedSize is { } size && size > (current?.Size ?? -1))
            current = ThrowIfFinal(await ReadPublishedAsync(cancel).ConfigureAwait(false) ?? current);
        return new Publication(false, current, next);
    }

    public Task<bool> CollectGarbageAsync(long publishedSize, CancellationToken cancel) =>
        JobBudget.RunAsync("garbage collection", JobBudget.GarbageCollection, budget =>
            coordinator.CollectGarbageAsync(publishedSize, MaxBundlesPerGcRun, bundleIndex => _log.CollectPartialsAsync(bundleIndex, budget), budget), cancel);

    /// <summary>
    /// Ends the log: with sequencing stopped (the SeqCoord row lock, which every sequencer takes and
    /// checks the checkpoint under), integrates what is sequenced and stores the final checkpoint
    /// through the PubCoord lock. Null when another server is integrating (IntCoord held past a
    /// second's wait); a log frozen already is left as it is.
    /// </summary>
    public Task<FreezeOutcome?> TryFreezeAsync(CheckpointMaker make, CancellationToken cancel) =>
        coordinator.WithSequencingStoppedAsync<FreezeOutcome?>(async () =>
        {
            if (await coordinator.TryConsumeAsync(IntegrateBatchesAsync(cancel), force: false, waitForLock: false, cancel).ConfigureAwait(false) is null)
                return null;
            var current = await ReadPublishedAsync(cancel).ConfigureAwait(false);
            if (current is not null && FrozenCheckpoint.IsFrozen(current.Body()))
                return new FreezeOutcome(false, current);
            PublishedCheckpoint? written = null;
            var pace = new PublicationPace(TimeSpan.Zero, TimeSpan.Zero, DateTimeOffset.UtcNow, Force: true);
            await coordinator.PublishAsync(pace,
                async head => written = await MakeAndStoreAsync(head, current, make, cancel).ConfigureAwait(false), cancel).ConfigureAwait(false);
            return new FreezeOutcome(true, written!);
        }, cancel);

    /// <summary>The integration callback: the Seq rows' tiles and bundles written to the bucket
    /// before the coordinator commits IntCoord.</summary>
    private Func<TreeHead, IReadOnlyList<byte[]>, Task<TreeHead>> IntegrateBatchesAsync(CancellationToken cancel) =>
        (head, blobs) => _log.IntegrateAsync(head, blobs, cancel);

    private Task<PublishedCheckpoint?> ReadPublishedAsync(CancellationToken cancel) => _log.ReadPublishedAsync(cancel);

    private Task ThrowIfFrozenAsync(string refused, CancellationToken cancel) => _log.ThrowIfFrozenAsync(refused, cancel);

    private PublishedCheckpoint? ThrowIfFinal(PublishedCheckpoint? current) => _log.ThrowIfFinal(current);

    private Task<PublishedCheckpoint> MakeAndStoreAsync(TreeHead head, PublishedCheckpoint? current, CheckpointMaker make, CancellationToken cancel) =>
        _log.MakeAndStoreAsync(head, current, make, cancel);
}
