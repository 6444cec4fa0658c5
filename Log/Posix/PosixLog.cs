using Microsoft.Extensions.Logging;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Posix;

/// <summary>
/// The append lifecycle over a POSIX directory: a batch queue that integrates on its own thread,
/// a publisher that signs a checkpoint from durable treeState at the configured pace and wakes
/// the callers it covers, and a garbage collector for partial tiles below the published size.
/// </summary>
internal sealed class PosixLog : ITransparencyLog, IAsyncDisposable
{
    private readonly PosixStorage _storage;
    private readonly Func<string, string> _signNote;
    private readonly string _origin;
    private readonly AppendOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly BatchQueue _queue;
    private readonly PublicationAwaiter _awaiter = new();
    private readonly SemaphoreSlim _treeChanged = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _background = Task.CompletedTask;
    private long _integratedSize;
    // The final checkpoint, once another process froze the log under us.
    private volatile PublishedCheckpoint? _frozen;
    // When the oldest integrated-but-unpublished entry was integrated (Stopwatch ticks; 0: none).
    private long _oldestUnpublishedAt;

    private PosixLog(PosixStorage storage, Func<string, string> signNote, string origin, AppendOptions options, ILogger logger, TimeProvider clock)
    {
        _storage = storage;
        _signNote = signNote;
        _origin = origin;
        _options = options;
        _logger = logger;
        _clock = clock;
        _queue = new BatchQueue(Integrate, options.BatchMaxSize, options.BatchMaxAge, options.MaxQueuedEntries);
        _queue.Integrated += OnIntegrated;
    }

    /// <summary>Opens (or creates) the log in <paramref name="directory"/>, checks it, publishes a first
    /// checkpoint if there is none, and starts the background work.</summary>
    /// <param name="signNote">Signs a checkpoint text and returns the whole note.</param>
    /// <param name="verifier">Verifies <paramref name="signNote"/>'s signatures: an existing checkpoint
    /// must carry one (null: only its origin is checked).</param>
    public static PosixLog Start(string directory, Func<string, string> signNote, string origin, AppendOptions options, ILogger logger,
        TimeProvider? clock = null, Signing.INoteVerifier? verifier = null)
    {
        options.Validate();
        Signing.NoteKeyName.ThrowIfInvalid(origin, nameof(origin));
        var storage = new PosixStorage(directory);
        var state = storage.Open();
        byte[]? existing = storage.ReadCheckpoint();
        if (existing is not null)
            CheckSameLog(storage, existing, origin, verifier);
        var log = new PosixLog(storage, signNote, origin, options, logger, clock ?? TimeProvider.System);
        log._integratedSize = state.Size;
        LogEvents.Opened(logger, storage.Paths.Root, state.Size);
        if (existing is null)
            log.Publish(force: true);
        else
            log._awaiter.Publish(new PublishedCheckpoint(storage.ParseCheckpoint(existing).Size, existing));
        log._queue.Start();
        log._background = Task.WhenAll(
            Task.Run(() => log.PublishLoop(log._stop.Token)),
            Task.Run(() => log.GcLoop(log._stop.Token)));
        return log;
    }

    /// <summary>
    /// A checkpoint of another origin, or not signed by this signer, means another log, or a
    /// second process on this directory with another key or --hostname (two servers started in
    /// different directories each generate a key): signing beside it would publish two logs'
    /// checkpoints in turn at one place, which no client could verify. Refused at start.
    /// </summary>
    private static void CheckSameLog(PosixStorage storage, byte[] note, string origin, Signing.INoteVerifier? verifier)
    {
        string path = storage.Paths.Checkpoint;
        var checkpoint = storage.ParseCheckpoint(note);
        if (checkpoint.Origin != origin)
            throw new LogStateException($"{path} belongs to origin '{checkpoint.Origin}', not '{origin}': refusing to sign checkpoints of another log (check --hostname)");
        if (verifier is null)
            return;
        try
        {
            Signing.SignedNote.Open(System.Text.Encoding.UTF8.GetString(note), [verifier]);
        }
        catch (Exception e) when (e is Signing.NoteVerificationException or FormatException)
        {
            throw new LogStateException(
                $"{path} is not signed by this signer ({verifier.Name}+{verifier.KeyId:x8}): {e.Message}; refusing to sign checkpoints of another log (check --signer-filepath)", e);
        }
    }

    public ILogReader Reader => _storage;

    public PublishedCheckpoint? LatestCheckpoint => _awaiter.Latest;

    public long IntegratedSize => Interlocked.Read(ref _integratedSize);

    /// <summary>Raised after each committed batch: its entry count and how long integration took.</summary>
    public event Action<int, TimeSpan>? BatchIntegrated;

    /// <summary>Raised after each checkpoint this process publishes: its size, and how long the
    /// oldest entry it newly covers had been waiting since integration (zero if none).</summary>
    public event Action<long, TimeSpan>? CheckpointPublished;

    public Task<long> AddAsync(ReadOnlyMemory<byte> entry, CancellationToken cancel)
    {
        if (entry.Length > EntryBundle.MaxEntrySize)
            throw new ArgumentException($"entry is {entry.Length} bytes; the log takes at most {EntryBundle.MaxEntrySize}");
        // Once queued the entry will be integrated whatever happens to the caller; only the wait is cancellable.
        var added = _queue.Add(entry);
        return cancel.CanBeCanceled ? added.WaitAsync(cancel) : added;
    }

    public Task<PublishedCheckpoint> AwaitPublicationAsync(long index, CancellationToken cancel) =>
        _awaiter.WaitAsync(index, cancel);

    public async Task ShutdownAsync(CancellationToken cancel)
    {
        await Task.Run(_queue.Stop, cancel).ConfigureAwait(false);
        _stop.Cancel();
        try
        {
            await _background.WaitAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
        }
        var latest = _awaiter.Latest;
        if (latest is null || latest.Size < IntegratedSize)
            await Task.Run(() => Publish(force: true), cancel).ConfigureAwait(false);
        _awaiter.Stop(new LogStoppedException());
        LogEvents.ShutDown(_logger, IntegratedSize);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            await ShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
        _treeChanged.Dispose();
    }

    private long Integrate(IReadOnlyList<ReadOnlyMemory<byte>> batch)
    {
        try
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            long first = _storage.Integrate(batch);
            Interlocked.CompareExchange(ref _oldestUnpublishedAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
            BatchIntegrated?.Invoke(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return first;
        }
        catch (Exception e)
        {
            LogEvents.IntegrationFailed(_logger, batch.Count, e);
            throw;
        }
    }

    private void OnIntegrated(long size)
    {
        Interlocked.Exchange(ref _integratedSize, size);
        LogEvents.Integrated(_logger, size);
        if (_treeChanged.CurrentCount == 0)
        {
            try { _treeChanged.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    /// <summary>One publication attempt; announces what it wrote (or finds written by another
    /// process) to the waiting callers.</summary>
    private PublishOutcome Publish(bool force)
    {
        if (_frozen is { } final)
            return PublishOutcome.Skipped(final.Size, _clock.GetUtcNow() + _options.CheckpointInterval);
        PublishOutcome outcome;
        try
        {
            outcome = _storage.PublishCheckpoint(_signNote, _origin, _options.CheckpointInterval,
                _options.RepublishInterval, _clock.GetUtcNow(), force);
        }
        catch (LogStateException) when (FrozenOnDisk() is { } frozen)
        {
            // `freeze` in another process ended the log. It signed under the integration lock, so
            // its final checkpoint covers every batch this process committed: hand it to the
            // waiting callers, and publish nothing more (a later batch is refused as frozen).
            _frozen = frozen;
            _awaiter.Publish(frozen);
            LogEvents.FrozenElsewhere(_logger, frozen.Size);
            return PublishOutcome.Skipped(frozen.Size, _clock.GetUtcNow() + _options.CheckpointInterval);
        }
        if (outcome.Published)
        {
            long waitingSince = outcome.Size >= IntegratedSize ? Interlocked.Exchange(ref _oldestUnpublishedAt, 0) : Interlocked.Read(ref _oldestUnpublishedAt);
            _awaiter.Publish(new PublishedCheckpoint(outcome.Size, outcome.Note!));
            LogEvents.Published(_logger, outcome.Size);
            CheckpointPublished?.Invoke(outcome.Size, waitingSince == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(waitingSince));
        }
        else if (outcome.Size > (_awaiter.Latest?.Size ?? -1) && _storage.ReadCheckpoint() is { } note)
        {
            // Another process on the same directory published; our callers may be covered by it.
            _awaiter.Publish(new PublishedCheckpoint(_storage.ParseCheckpoint(note).Size, note));
        }
        return outcome;
    }

    private PublishedCheckpoint? FrozenOnDisk()
    {
        if (_storage.ReadCheckpoint() is not { } note)
            return null;
        var checkpoint = _storage.ParseCheckpoint(note);
        return FrozenCheckpoint.IsFrozen(checkpoint) ? new PublishedCheckpoint(checkpoint.Size, note) : null;
    }

    private async Task PublishLoop(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var outcome = Publish(force: false);
                bool behind = (_awaiter.Latest?.Size ?? -1) < IntegratedSize;
                var untilAllowed = outcome.NextAttempt - _clock.GetUtcNow();
                wait = behind ? untilAllowed : TimeSpan.Zero;
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
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                long published = _awaiter.Latest?.Size ?? 0;
                while (!stop.IsCancellationRequested && _storage.CollectGarbage(published) == PosixStorage.MaxBundlesPerGcRun)
                {
                }
            }
            catch (Exception e)
            {
                LogEvents.GcFailed(_logger, e);
            }
        }
    }
}
