using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>
/// The append lifecycle of every flavour, over a storage driver: a batch queue whose worker
/// sequences each batch durably, an integrator that turns sequenced entries into tiles, a
/// publisher that stores a checkpoint at the configured pace and wakes the callers it covers, and
/// a garbage collector for partial tiles below the published size. Checkpoints are made by a
/// <see cref="CheckpointMaker"/> the lifecycle is given, outside any lock integration needs.
/// </summary>
public sealed class AppendLifecycle : ITransparencyLog, IAsyncDisposable
{
    /// <summary>How often the integrator looks for work sequenced by other processes.</summary>
    public static readonly TimeSpan IntegrationPollInterval = TimeSpan.FromSeconds(1);

    private readonly ILogDriver _driver;
    private readonly CheckpointMaker _makeCheckpoint;
    private readonly AppendOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly BatchQueue _queue;
    private readonly PublicationAwaiter _awaiter = new();
    private readonly SemaphoreSlim _sequenced = new(0, 1);
    private readonly SemaphoreSlim _treeChanged = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _background = Task.CompletedTask;
    private long _integratedSize;
    // The final checkpoint, once another process froze the log under us.
    private volatile PublishedCheckpoint? _frozen;
    // When the oldest integrated-but-unpublished entry was integrated (Stopwatch ticks; 0: none).
    private long _oldestUnpublishedAt;
    private int _shutdownStarted;

    private AppendLifecycle(ILogDriver driver, CheckpointMaker makeCheckpoint, AppendOptions options, ILogger logger, TimeProvider clock)
    {
        _driver = driver;
        _makeCheckpoint = makeCheckpoint;
        _options = options;
        _logger = logger;
        _clock = clock;
        _queue = new BatchQueue(Sequence, options.BatchMaxSize, options.BatchMaxAge, options.MaxQueuedEntries);
        _queue.Sequenced += _ => Wake(_sequenced);
    }

    /// <summary>
    /// Opens the driver's storage, checks that its checkpoint is this log's (<paramref name="checkStored"/>
    /// throws <see cref="LogStateException"/> otherwise), publishes a first checkpoint if there is
    /// none, and starts the background work. The driver is disposed with the lifecycle.
    /// </summary>
    public static async Task<AppendLifecycle> StartAsync(ILogDriver driver, CheckpointMaker makeCheckpoint, Action<PublishedCheckpoint> checkStored,
        AppendOptions options, ILogger logger, TimeProvider? clock = null, CancellationToken cancel = default)
    {
        options.Validate();
        var head = await driver.OpenAsync(cancel).ConfigureAwait(false);
        var stored = await driver.Reader.ReadCheckpointAsync(cancel).ConfigureAwait(false) is { } note
            ? PublishedCheckpoint.FromNote(note)
            : null;
        if (stored is not null)
            checkStored(stored);
        var log = new AppendLifecycle(driver, makeCheckpoint, options, logger, clock ?? TimeProvider.System);
        log._integratedSize = head.Size;
        LogEvents.Opened(logger, head.Size);
        if (stored is null)
            await log.PublishAsync(force: true, cancel).ConfigureAwait(false);
        else
            log._awaiter.Publish(stored);
        log._queue.Start();
        log._background = Task.WhenAll(
            Task.Run(() => log.IntegrateLoop(log._stop.Token), CancellationToken.None),
            Task.Run(() => log.PublishLoop(log._stop.Token), CancellationToken.None),
            Task.Run(() => log.GcLoop(log._stop.Token), CancellationToken.None));
        return log;
    }

    public ILogReader Reader => _driver.Reader;

    public PublishedCheckpoint? LatestCheckpoint => _awaiter.Latest;

    public long IntegratedSize => Interlocked.Read(ref _integratedSize);

    /// <summary>Raised after each integration that grew the tree, with the new size.</summary>
    public event Action<long>? Integrated;

    /// <summary>Raised after each sequenced batch: its entry count and how long sequencing took.</summary>
    public event Action<int, TimeSpan>? BatchSequenced;

    /// <summary>Raised after each checkpoint this process publishes: its size, and how long the
    /// oldest entry it newly covers had been waiting since integration (zero if none).</summary>
    public event Action<long, TimeSpan>? CheckpointPublished;

    /// <summary>The one entry size check of the write path: tlog-tiles bundles carry a 16-bit length.</summary>
    public Task<long> AddAsync(ReadOnlyMemory<byte> entry, CancellationToken cancel)
    {
        if (entry.Length > EntryBundle.MaxEntrySize)
            throw new EntryTooLargeException(entry.Length);
        // Once queued the entry will be sequenced whatever happens to the caller; only the wait is cancellable.
        var added = _queue.Add(entry);
        return cancel.CanBeCanceled ? added.WaitAsync(cancel) : added;
    }

    public Task<PublishedCheckpoint> AwaitPublicationAsync(long index, CancellationToken cancel) =>
        _awaiter.WaitAsync(index, cancel);

    /// <summary>Sequences what is queued, integrates it, stops the background work and publishes a
    /// checkpoint that covers everything integrated. A storage failure on the way is logged, not
    /// thrown: every answered entry is covered by a published checkpoint already, and what was
    /// integrated since is published at the next start. Only <paramref name="cancel"/> ends it early.</summary>
    public async Task ShutdownAsync(CancellationToken cancel)
    {
        Interlocked.Exchange(ref _shutdownStarted, 1);
        try
        {
            await Task.Run(_queue.Stop, cancel).ConfigureAwait(false);
            await _stop.CancelAsync().ConfigureAwait(false);
            await StopBackgroundAsync(cancel).ConfigureAwait(false);
            if (_frozen is null)
                await PublishFinalAsync(cancel).ConfigureAwait(false);
        }
        finally
        {
            _awaiter.Stop(new LogStoppedException());
        }
        LogEvents.ShutDown(_logger, IntegratedSize);
    }

    private async Task StopBackgroundAsync(CancellationToken cancel)
    {
        try
        {
            await _background.WaitAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
        }
    }

    private async Task PublishFinalAsync(CancellationToken cancel)
    {
        try
        {
            OnIntegrated(await _driver.IntegrateAsync(cancel).ConfigureAwait(false));
            var latest = _awaiter.Latest;
            if (latest is null || latest.Size < IntegratedSize)
                await PublishAsync(force: true, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            LogEvents.FinalPublicationFailed(_logger, IntegratedSize, e);
        }
    }

    /// <summary>Shuts down first unless a shutdown was begun (one that ran out of time is not waited for again).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _shutdownStarted) == 0)
            await ShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _driver.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _sequenced.Dispose();
        _treeChanged.Dispose();
    }

    /// <summary>The batch queue's worker: a thread of its own, so blocking on the driver is fine.</summary>
    private long Sequence(IReadOnlyList<ReadOnlyMemory<byte>> batch)
    {
        try
        {
            long started = Stopwatch.GetTimestamp();
            long first = _driver.SequenceAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
            BatchSequenced?.Invoke(batch.Count, Stopwatch.GetElapsedTime(started));
            return first;
        }
        catch (LogFrozenException e)
        {
            OnFrozen(e.Final);
            throw;
        }
        catch (Exception e) when (e is not PushbackException)
        {
            // Pushback is the driver asking for patience, not a failure: the callers get their 503.
            LogEvents.SequencingFailed(_logger, batch.Count, e);
            throw;
        }
    }

    private async Task IntegrateLoop(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _sequenced.WaitAsync(IntegrationPollInterval, stop).ConfigureAwait(false);
                OnIntegrated(await _driver.IntegrateAsync(stop).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogEvents.IntegrationFailed(_logger, e);
                try { await Task.Delay(IntegrationPollInterval, _clock, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void OnIntegrated(TreeHead head)
    {
        long before = Interlocked.Read(ref _integratedSize);
        if (head.Size <= before)
            return;
        Interlocked.Exchange(ref _integratedSize, head.Size);
        Interlocked.CompareExchange(ref _oldestUnpublishedAt, Stopwatch.GetTimestamp(), 0);
        LogEvents.Integrated(_logger, head.Size);
        Integrated?.Invoke(head.Size);
        Wake(_treeChanged);
    }

    private static void Wake(SemaphoreSlim signal)
    {
        if (signal.CurrentCount != 0)
            return;
        try { signal.Release(); }
        catch (SemaphoreFullException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>One publication attempt; announces what it wrote (or found written by another
    /// process) to the waiting callers. Returns when the next attempt may write.</summary>
    private async Task<DateTimeOffset> PublishAsync(bool force, CancellationToken cancel)
    {
        if (_frozen is not null)
            return _clock.GetUtcNow() + _options.CheckpointInterval;
        var pace = new PublicationPace(_options.CheckpointInterval, _options.RepublishInterval, _clock.GetUtcNow(), force);
        Publication outcome;
        try
        {
            outcome = await _driver.PublishAsync(pace, _makeCheckpoint, cancel).ConfigureAwait(false);
        }
        catch (LogFrozenException e)
        {
            OnFrozen(e.Final);
            return _clock.GetUtcNow() + _options.CheckpointInterval;
        }
        if (outcome.Current is not { } current)
            return outcome.NextAttempt;
        if (outcome.Wrote)
        {
            long waitingSince = current.Size >= IntegratedSize
                ? Interlocked.Exchange(ref _oldestUnpublishedAt, 0)
                : Interlocked.Read(ref _oldestUnpublishedAt);
            LogEvents.Published(_logger, current.Size);
            CheckpointPublished?.Invoke(current.Size, waitingSince == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(waitingSince));
        }
        // Also when another process published: our callers may be covered by it.
        _awaiter.Publish(current);
        return outcome.NextAttempt;
    }

    /// <summary>
    /// `freeze` in another process ended the log. It froze under the integration lock, so its final
    /// checkpoint covers every batch this process sequenced: hand it to the waiting callers, and
    /// publish nothing more (a later batch is refused as frozen).
    /// </summary>
    private void OnFrozen(PublishedCheckpoint final)
    {
        if (_frozen is not null)
            return;
        _frozen = final;
        _awaiter.Publish(final);
        LogEvents.FrozenElsewhere(_logger, final.Size);
    }

    private async Task PublishLoop(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var next = await PublishAsync(force: false, stop).ConfigureAwait(false);
                bool behind = (_awaiter.Latest?.Size ?? -1) < IntegratedSize && _frozen is null;
                wait = behind ? next - _clock.GetUtcNow() : TimeSpan.Zero;
                if (!behind)
                {
                    // Up to date: sleep until the tree changes, or one interval for the republish check.
                    await _treeChanged.WaitAsync(_options.CheckpointInterval, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogEvents.PublishFailed(_logger, e);
                wait = _options.CheckpointInterval;
            }
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, _clock, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task GcLoop(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.GcInterval, _clock, stop).ConfigureAwait(false);
                long published = _awaiter.Latest?.Size ?? 0;
                while (!stop.IsCancellationRequested)
                {
                    long started = Stopwatch.GetTimestamp();
                    if (!await _driver.CollectGarbageAsync(published, stop).ConfigureAwait(false))
                        break;
                    // More to do: rest as long as the run took. Thousands of deletes at once fill
                    // the file system's journal, and every fsync of the batches being written waits
                    // for it (a 2-3 s stall of all writes every minute, under sustained load).
                    await Task.Delay(Stopwatch.GetElapsedTime(started), _clock, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogEvents.GcFailed(_logger, e);
            }
        }
    }
}
