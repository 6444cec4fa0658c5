using Microsoft.Extensions.Logging;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Search;

namespace RekorPosix.Http;

/// <summary>
/// What <c>serve</c> runs on, as the binary's flavour builds it from the settings
/// (<see cref="Flavour.OpenAsync"/>): the log with antispam in front (both null when read-only),
/// the published files both read ports serve, and the search index with --search-index.
/// </summary>
internal sealed class ServedLog(AppendLifecycle? log, DedupAppender? appender, IPublishedReads? files, ILogger logger,
    ServedProofs? proofs = null) : IAsyncDisposable
{
    public AppendLifecycle? Log { get; } = log;

    public DedupAppender? Appender { get; } = appender;

    /// <summary>What both read ports serve; null when there is nothing to serve (a cloud flavour's
    /// --read-only without a bucket).</summary>
    internal IPublishedReads? Files { get; } = files;

    /// <summary>The search index (--search-index), fed by its follower unless read-only; null without one.</summary>
    public SearchIndex? Search { get; init; }

    /// <summary>The size of the latest published checkpoint (0 before the first): search answers only within it.</summary>
    public Func<long> PublishedSize { get; init; } = () => 0;

    /// <summary>What the proof and checkpoint-history routes read; null where the read ports have
    /// nothing to serve either.</summary>
    internal ServedProofs? Proofs { get; } = proofs;

    /// <summary>What the flavour opened for all of the above (a cloud flavour's channels and
    /// clients), closed after everything that uses it.</summary>
    public IAsyncDisposable? Connections { get; init; }

    private int _disposed;

    /// <summary>The log's shutdown first, so that the dedup follower also indexes what it
    /// integrated (its final checkpoint is waited for at most <paramref name="timeout"/>); then the
    /// followers, which read through the driver; the driver; then the connections.</summary>
    public async ValueTask DisposeAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            if (Log is not null)
            {
                using var shutdown = new CancellationTokenSource(timeout);
                try
                {
                    await Log.ShutdownAsync(shutdown.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
                {
                    HttpEvents.ShutdownTimedOut(logger, timeout);
                }
            }
        }
        finally
        {
            if (Appender is not null)
                await Appender.DisposeAsync().ConfigureAwait(false);
            if (Search is not null)
            {
                if (Log is not null)
                    Log.Integrated -= Search.NotifyIntegrated;
                await Search.DisposeAsync().ConfigureAwait(false);
            }
            if (Log is not null)
                await Log.DisposeAsync().ConfigureAwait(false);
            Files?.Dispose();
            if (Connections is not null)
                await Connections.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => DisposeAsync(Timeout.InfiniteTimeSpan);
}
