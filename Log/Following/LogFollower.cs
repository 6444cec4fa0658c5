using Microsoft.Extensions.Logging;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Following;

/// <summary>
/// Tails the integrated log and feeds an index: reads entry bundles from the index's next index up
/// to the integrated size (<see cref="ILogReader.ReadIntegratedSizeAsync"/>), hands each entry to
/// the batch, and commits at most the batch size of entries per transaction together with the new
/// next index. It wakes when told that the log grew (<see cref="NotifyIntegrated"/>) and polls
/// besides, so it also sees entries another process appended. A failure is logged and retried;
/// nothing is skipped. An index found damaged, or ahead of the log, is rebuilt from 0.
/// </summary>
internal sealed class LogFollower : IAsyncDisposable
{
    private readonly IFollowedIndex _index;
    private readonly IFollowerBatch _batch;
    private readonly ILogReader _reader;
    private readonly FollowerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _abort = new();
    private Task _loop = Task.CompletedTask;
    private long _next;
    private long _knownSize;
    private volatile bool _draining;
    // Only the follower's own thread (or Open, before it starts) touches it.
    private bool _failing;
    // The last entry bundle read and its parsed entries (the follower's own thread only).
    private (long Index, ReadOnlyMemory<byte> Data, List<ReadOnlyMemory<byte>> Entries)? _lastBundle;
    // Bundles are read into this, batch after batch, sparing the large-object heap an array of
    // up to hundreds of KiB per read; the last bundle's memory is kept until the next replaces it.
    private readonly BundleSpace _bundleSpace = new();
    private bool _disposed;

    private LogFollower(IFollowedIndex index, IFollowerBatch batch, ILogReader reader, FollowerOptions options, ILogger logger)
    {
        _index = index;
        _batch = batch;
        _reader = reader;
        _options = options;
        _logger = logger;
        _next = index.ReadNextIndex();
        _knownSize = _next;
    }

    /// <summary>Takes over <paramref name="index"/> (disposed with the follower), indexes what the
    /// log has beyond it if that is within <see cref="FollowerOptions.CatchUpAtOpen"/>, and starts
    /// following.</summary>
    public static async Task<LogFollower> StartAsync(IFollowedIndex index, IFollowerBatch batch, ILogReader reader, FollowerOptions options, ILogger logger)
    {
        var follower = new LogFollower(index, batch, reader, options, logger);
        await follower.CatchUpAtOpenAsync().ConfigureAwait(false);
        follower._loop = Task.Run(follower.RunAsync);
        return follower;
    }

    /// <summary>A follower that does not run by itself: the caller brings the index up to date
    /// with <see cref="CatchUpAsync"/> (an offline command).</summary>
    public static LogFollower Stopped(IFollowedIndex index, IFollowerBatch batch, ILogReader reader, FollowerOptions options, ILogger logger) =>
        new(index, batch, reader, options, logger);

    /// <summary>Entries below this index are in the index.</summary>
    public long NextIndex => Volatile.Read(ref _next);

    /// <summary>Integrated entries not yet indexed, as far as this process knows the log's size.</summary>
    public long Lag => Math.Max(0, Volatile.Read(ref _knownSize) - NextIndex);

    /// <summary>Tells the follower the log has at least <paramref name="size"/> integrated entries.</summary>
    public void NotifyIntegrated(long size)
    {
        RaiseKnownSize(size);
        Wake();
    }

    /// <summary>Indexes every entry the log has integrated now, on the caller's thread; failures
    /// are thrown, not retried.</summary>
    public async Task CatchUpAsync(CancellationToken cancel)
    {
        long size = await _reader.ReadIntegratedSizeAsync(cancel).ConfigureAwait(false);
        RaiseKnownSize(size);
        while (NextIndex < size && await IndexOneBatchAsync(cancel).ConfigureAwait(false))
        {
        }
    }

    /// <summary>Indexes what the log holds now (for at most the drain timeout, as tessera's shutdown
    /// waits for its followers), then stops and closes the index.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        _draining = true;
        Wake();
        try
        {
            await _loop.WaitAsync(_options.DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            FollowerEvents.StoppedBehind(_logger, _options.Name, Lag);
            await _abort.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }
        _index.Dispose();
        _abort.Dispose();
        _wake.Dispose();
    }

    /// <summary>
    /// Indexes the entries the log has now, on the caller's thread, when they are no more than
    /// <see cref="FollowerOptions.CatchUpAtOpen"/>: a few bundles, and afterwards a caller that
    /// relies on the index (dedup) finds what was logged before the start.
    /// </summary>
    private async Task CatchUpAtOpenAsync()
    {
        try
        {
            long size = await _reader.ReadIntegratedSizeAsync(CancellationToken.None).ConfigureAwait(false);
            RaiseKnownSize(size);
            while (NextIndex != size && Lag <= _options.CatchUpAtOpen && await IndexOneBatchAsync(CancellationToken.None).ConfigureAwait(false))
            {
            }
        }
        catch (Exception e)
        {
            Failed(e);
        }
    }

    private async Task RunAsync()
    {
        var stop = _abort.Token;
        while (!stop.IsCancellationRequested)
        {
            bool more;
            try
            {
                more = await IndexOneBatchAsync(stop).ConfigureAwait(false);
                if (_failing)
                    FollowerEvents.FollowResumed(_logger, _options.Name, NextIndex);
                _failing = false;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // On the way out there is no later to retry in; the next start catches up.
                if (_draining)
                    return;
                Failed(e);
                more = false;
            }
            if (more)
                continue;
            if (_draining)
                return;
            try
            {
                await _wake.WaitAsync(_options.PollInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Warns at the first failure of a run of them; the retries stay quiet.</summary>
    private void Failed(Exception e)
    {
        if (!_failing)
            FollowerEvents.FollowFailed(_logger, _options.Name, NextIndex, _options.PollInterval.TotalSeconds, e);
        _failing = true;
    }

    /// <summary>Indexes up to one batch; false when there was nothing to do. The integrated size is
    /// read when the follower reached the size this process knows of (as tessera's follower
    /// refreshes it) or after a failed step, so that the lag still follows the log while reads
    /// fail; not for every batch: a cloud log's size is a database query, and one per batch doubled
    /// the follower's trips while it fell behind.</summary>
    private async Task<bool> IndexOneBatchAsync(CancellationToken stop)
    {
        if (_index.SuspectedDamaged)
            Restart("a lookup found it damaged");
        long size = Volatile.Read(ref _knownSize);
        if (NextIndex >= size || _failing)
        {
            size = await _reader.ReadIntegratedSizeAsync(stop).ConfigureAwait(false);
            RaiseKnownSize(size);
        }
        long next = NextIndex;
        if (next > size)
        {
            // Only an index of another (or a replaced) log can be ahead of the integrated tree; the
            // size known so far came from that index, and the log's own takes its place.
            Restart($"it covers {next} entries but the log has only {size}");
            Volatile.Write(ref _knownSize, size);
            return true;
        }
        if (next == size)
            return false;
        int count = (int)Math.Min(size - next, _options.MaxBatchSize);
        _batch.Clear();
        await AddEntriesAsync(next, size, count, stop).ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
        long stored;
        try
        {
            stored = _batch.Commit(next, count);
        }
        catch (Exception e) when (_index.IsDamage(e))
        {
            Restart(e.Message);
            return true;
        }
        Volatile.Write(ref _next, stored);
        FollowerEvents.Indexed(_logger, _options.Name, stored);
        return true;
    }

    /// <summary>Hands the batch the <paramref name="count"/> entries from <paramref name="first"/> on,
    /// reading each bundle at the width <paramref name="size"/> gives it (the reader falls back to
    /// the full bundle once the partial is gone).</summary>
    private async Task AddEntriesAsync(long first, long size, int count, CancellationToken stop)
    {
        int done = 0;
        while (done < count)
        {
            stop.ThrowIfCancellationRequested();
            long index = first + done;
            long bundle = index / TileMath.TileWidth;
            int width = TileMath.EntryBundleWidth(bundle, size);
            int from = (int)(index % TileMath.TileWidth);
            int take = Math.Min(width - from, count - done);
            var entries = await BundleAsync(bundle, width, from + take, stop).ConfigureAwait(false);
            for (int i = 0; i < take; i++)
                _batch.Add(index + i, entries[from + i].Span);
            done += take;
        }
    }

    /// <summary>
    /// The entries of bundle <paramref name="bundle"/> read at <paramref name="width"/>, or the last
    /// bundle read when it is the same one and holds the first <paramref name="needed"/> entries: a
    /// bundle only ever grows at its end, so a narrower read has the same entries up to its width.
    /// A bundle of 256 serves four batches of tessera's 64, each of which read it again.
    /// </summary>
    private async Task<List<ReadOnlyMemory<byte>>> BundleAsync(long bundle, int width, int needed, CancellationToken stop)
    {
        if (_lastBundle is { } last && last.Index == bundle && last.Entries.Count >= needed)
            return last.Entries;
        var address = new TileAddress(0, bundle, width, IsEntries: true);
        var data = await _reader.ReadEntryBundleAsync(address, _bundleSpace, _lastBundle?.Data ?? default, stop).ConfigureAwait(false);
        var entries = EntryBundle.Parse(data);
        if (entries.Count != width)
            throw new LogStateException($"{address.ToPath()} holds {entries.Count} entries, not {width}");
        _lastBundle = (bundle, data, entries);
        return entries;
    }

    private void Restart(string reason)
    {
        _lastBundle = null;
        _index.Rebuild(reason);
        Volatile.Write(ref _next, _index.ReadNextIndex());
    }

    private void RaiseKnownSize(long size)
    {
        long known = Volatile.Read(ref _knownSize);
        while (size > known)
        {
            long seen = Interlocked.CompareExchange(ref _knownSize, size, known);
            if (seen == known)
                return;
            known = seen;
        }
    }

    private void Wake()
    {
        // A binary signal: one pending wake-up is enough however many notifications came.
        try
        {
            if (_wake.CurrentCount == 0)
                _wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
