using RekorPosix.Log.Cloud;

namespace RekorPosix.Log.Gcp;

/// <summary>
/// The Spanner + GCS storage driver (tessera's storage/gcp, as rekor-tiles' rekor-server-gcp runs
/// it; spec gcp-spanner-flavour.md): sequencing commits a batch to Spanner, integration writes the
/// bucket inside its transaction and commits IntCoord last, publication is paced by PubCoord
/// across every server, and the tiles, bundles and checkpoint live in the bucket. Several servers
/// may share one database and bucket. Every step is a Spanner transaction that may run again after
/// ABORTED, which the emulator answers to every transaction but one at a time.
/// </summary>
/// <param name="makerTime">Time the checkpoint maker may take beyond signing (its witnesses),
/// added to the publication's budget.</param>
/// <param name="history">Where each published checkpoint is kept before it becomes the checkpoint
/// (<c>--checkpoint-history</c>); null: not kept.</param>
internal sealed class GcpStorage(SpannerCoordinator coordinator, IBucket bucket, long maxOutstanding, TimeSpan makerTime = default,
    ICheckpointHistory? history = null) : ILogDriver
{
    /// <summary>Bundles whose partials one GC run removes at most, as tessera bounds it.</summary>
    public const int MaxBundlesPerGcRun = 100;

    /// <summary>How long a freeze waits for the coordination locks before it reports another
    /// writer busy, as the MySQL driver's one-second lock wait.</summary>
    private static readonly TimeSpan FreezeLockWait = TimeSpan.FromSeconds(1);

    private readonly BucketLog _log = new(bucket, coordinator.ReadIntegratedAsync, history);
    // PubCoord's row when this process last found the bucket's checkpoint not frozen; written with
    // the SeqCoord lock held.
    private volatile SpannerCoordinator.PublicationMark? _notFrozenAt;

    public ILogReader Reader => _log.Reader;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Creates or checks the schema; on a bucket without a checkpoint, a forced
    /// integration takes what is sequenced (it fails if the database holds a tree the bucket
    /// lost). Then the stored tree is checked as every driver checks it.</summary>
    public async Task<TreeHead> OpenAsync(CancellationToken cancel)
    {
        await coordinator.InitAsync(cancel).ConfigureAwait(false);
        if (await _log.Reader.ReadCheckpointAsync(cancel).ConfigureAwait(false) is null)
            await coordinator.ConsumeAsync(IntegrateBatches(cancel), cancel).ConfigureAwait(false);
        var head = await coordinator.ReadIntegratedAsync(cancel).ConfigureAwait(false);
        await StoredTreeCheck.CheckAsync(_log.Reader, head, cancel).ConfigureAwait(false);
        await _log.ThrowIfFrozenAsync("it takes no more entries", cancel).ConfigureAwait(false);
        return head;
    }

    /// <summary>The batch's rows are encoded once, before the transaction: their bytes do not
    /// depend on the indices, so a re-run after ABORTED reuses them.</summary>
    public async Task<long> SequenceAsync(IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancel)
    {
        ArgumentOutOfRangeException.ThrowIfZero(entries.Count);
        var rows = SeqRows.Split(entries).ConvertAll(row =>
            (row.First, BucketLog.EncodeBatch(entries.Skip(row.First).Take(row.Count).ToList())));
        return await coordinator.SequenceAsync(entries.Count, rows, maxOutstanding, ThrowIfFrozenSinceAsync, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// The freeze check of every batch, with SeqCoord locked. A freeze commits PubCoord before it
    /// lets go of that lock, and always changes the row; so while the row is the one this process
    /// last saw with an unfrozen checkpoint, no freeze came since and the bucket is not asked
    /// (as the aws driver, which measured a GET per batch racing the publisher's overwrite).
    /// </summary>
    private async Task ThrowIfFrozenSinceAsync(SpannerCoordinator.PublicationMark mark, CancellationToken cancel)
    {
        if (mark.Equals(_notFrozenAt))
            return;
        await JobBudget.RunAsync("the freeze check of a batch", JobBudget.FreezeCheck, async budget =>
        {
            await _log.ThrowIfFrozenAsync("refusing to add entries", budget).ConfigureAwait(false);
            return true;
        }, cancel).ConfigureAwait(false);
        _notFrozenAt = mark;
    }

    public Task<TreeHead> IntegrateAsync(CancellationToken cancel) =>
        JobBudget.RunAsync("integration", JobBudget.Integration,
            budget => coordinator.ConsumeAsync(IntegrateBatches(budget), budget), cancel);

    public Task<Publication> PublishAsync(PublicationPace pace, CheckpointMaker make, CancellationToken cancel) =>
        JobBudget.RunAsync("checkpoint publication", JobBudget.Publication + makerTime, budget => PublishWithinAsync(pace, make, budget), cancel);

    private async Task<Publication> PublishWithinAsync(PublicationPace pace, CheckpointMaker make, CancellationToken cancel)
    {
        var current = _log.ThrowIfFinal(await _log.ReadPublishedAsync(cancel).ConfigureAwait(false));
        PublishedCheckpoint? written = null;
        var (published, next, publishedSize) = await coordinator.PublishAsync(pace,
            async head => written = await _log.MakeAndStoreAsync(head, current, make, cancel).ConfigureAwait(false), cancel).ConfigureAwait(false);
        if (published)
            return new Publication(true, written, next);
        // Another server published while this one waited for PubCoord: the checkpoint it stored,
        // not the one read before the wait, is current (see AwsStorage).
        if (publishedSize is { } size && size > (current?.Size ?? -1))
            current = _log.ThrowIfFinal(await _log.ReadPublishedAsync(cancel).ConfigureAwait(false) ?? current);
        return new Publication(false, current, next);
    }

    public Task<bool> CollectGarbageAsync(long publishedSize, CancellationToken cancel) =>
        JobBudget.RunAsync("garbage collection", JobBudget.GarbageCollection, budget =>
            coordinator.CollectGarbageAsync(publishedSize, MaxBundlesPerGcRun, bundleIndex => _log.CollectPartialsAsync(bundleIndex, budget), budget), cancel);

    /// <summary>
    /// Ends the log in one transaction holding SeqCoord, IntCoord and PubCoord: integrates what is
    /// sequenced and stores the final checkpoint for that head. Null when another server holds
    /// them past a second's wait; a log frozen already is left as it is. A re-run after ABORTED
    /// that finds the final checkpoint it stored itself for the same head commits it as it is.
    /// </summary>
    public async Task<FreezeOutcome?> TryFreezeAsync(CheckpointMaker make, CancellationToken cancel)
    {
        PublishedCheckpoint? current = null;
        PublishedCheckpoint? written = null;
        var steps = await coordinator.TryFreezeAsync(IntegrateBatches(cancel), async head =>
        {
            current = await _log.ReadPublishedAsync(cancel).ConfigureAwait(false);
            bool ours = written is not null && current is not null && written.Note.AsSpan().SequenceEqual(current.Note);
            if (ours && written!.Size == head.Size)
                return true;
            if (!ours && current is not null && FrozenCheckpoint.IsFrozen(current.Body()))
                return false;
            written = await _log.MakeAndStoreAsync(head, current, make, cancel).ConfigureAwait(false);
            return true;
        }, FreezeLockWait, cancel).ConfigureAwait(false);
        if (steps is null)
            return null;
        return steps.Published ? new FreezeOutcome(true, written!) : new FreezeOutcome(false, current!);
    }

    private Func<TreeHead, IReadOnlyList<byte[]>, Task<TreeHead>> IntegrateBatches(CancellationToken cancel) =>
        (head, blobs) => _log.IntegrateAsync(head, blobs, cancel);
}
