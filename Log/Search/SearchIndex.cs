using Microsoft.Extensions.Logging;
using RekorPosix.Log.Following;

namespace RekorPosix.Log.Search;

/// <summary>
/// The search index of a log (<c>--search-index</c>): the flavour's <see cref="ISearchIndex"/>
/// and, unless it only reads an existing index, the <see cref="LogFollower"/> that feeds it the keys
/// of each integrated entry. It answers queries and leaf-hash lookups as far as it has indexed.
/// </summary>
internal sealed class SearchIndex : ILeafHashLookup, IAsyncDisposable
{
    /// <summary>Entries per commit: a few thousand rows, a short transaction.</summary>
    public const int DefaultMaxBatchSize = 1024;
    /// <summary>Search is not in the write path: shutdown does not wait for it, the next start catches up.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly ISearchIndex _index;
    private readonly LogFollower? _follower;
    private readonly SearchBatch? _batch;

    private SearchIndex(ISearchIndex index, LogFollower? follower, SearchBatch? batch)
    {
        _index = index;
        _follower = follower;
        _batch = batch;
    }

    /// <summary>Opens (or rebuilds) the index and starts following the log; the follower catches up
    /// on its own thread. Throws <see cref="SearchIndexUnavailableException"/> when no index can be
    /// opened or created.</summary>
    public static async Task<SearchIndex> StartAsync(Func<ILogger, ISearchIndex> openIndex, ILogReader reader, ILogger logger,
        int maxBatchSize = DefaultMaxBatchSize, TimeSpan? pollInterval = null)
    {
        var index = openIndex(logger);
        try
        {
            var batch = new SearchBatch(index, logger);
            var follower = await LogFollower.StartAsync(index, batch, reader, Options(maxBatchSize, pollInterval), logger).ConfigureAwait(false);
            return new SearchIndex(index, follower, batch);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>The search index of a running log, woken each time it integrates; null (and an
    /// error logged) when no index can be opened: the log must not stop for its search index.</summary>
    public static async Task<SearchIndex?> FollowAsync(Func<ILogger, ISearchIndex> openIndex, ITransparencyLog log, ILogger logger,
        int maxBatchSize = DefaultMaxBatchSize)
    {
        try
        {
            var search = await StartAsync(openIndex, log.Reader, logger, maxBatchSize).ConfigureAwait(false);
            log.Integrated += search.NotifyIntegrated;
            return search;
        }
        catch (SearchIndexUnavailableException e)
        {
            SearchEvents.Unavailable(logger, e);
            return null;
        }
    }

    /// <summary>Brings the index up to what the log has integrated now, on the caller's thread (the
    /// offline command), and returns it without a follower running.</summary>
    public static async Task<SearchIndex> CatchUpAsync(ISearchIndex index, ILogReader reader, ILogger logger, CancellationToken cancel)
    {
        var batch = new SearchBatch(index, logger);
        var follower = LogFollower.Stopped(index, batch, reader, Options(DefaultMaxBatchSize, null), logger);
        try
        {
            await follower.CatchUpAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            await follower.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new SearchIndex(index, follower, batch);
    }

    /// <summary>An index only read, never fed (a frozen log's, served read-only).</summary>
    public static SearchIndex ReadOnly(ISearchIndex index) => new(index, null, null);

    /// <summary>Entries below this index are indexed.</summary>
    public long NextIndex => _follower?.NextIndex ?? _index.ReadNextIndex();

    /// <summary>Integrated entries not indexed yet, as far as this process knows (0 without a follower).</summary>
    public long Lag => _follower?.Lag ?? 0;

    /// <summary>Entries indexed by their leaf hash only, since they do not parse (this process).</summary>
    public long SkippedEntries => _batch?.SkippedEntries ?? 0;

    /// <summary>The indices of the indexed entries that match <paramref name="query"/>, within <paramref name="page"/>.</summary>
    public ValueTask<IReadOnlyList<long>> FindAsync(SearchQuery query, SearchPage page, CancellationToken cancel) =>
        _index.FindAsync(query, page, cancel);

    public async ValueTask<long?> FindLeafAsync(ReadOnlyMemory<byte> leafHash, CancellationToken cancel)
    {
        var query = new SearchQuery([SearchKey.LeafHash(leafHash.Span)], matchAll: true);
        var found = await _index.FindAsync(query, new SearchPage(-1, long.MaxValue, 1), cancel).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>Tells the follower the log has at least <paramref name="size"/> integrated entries.</summary>
    public void NotifyIntegrated(long size) => _follower?.NotifyIntegrated(size);

    public async ValueTask DisposeAsync()
    {
        if (_follower is not null)
            await _follower.DisposeAsync().ConfigureAwait(false);
        else
            _index.Dispose();
    }

    private static FollowerOptions Options(int maxBatchSize, TimeSpan? pollInterval) =>
        new("Search", maxBatchSize, CatchUpAtOpen: 0, pollInterval ?? TimeSpan.FromSeconds(1), DrainTimeout);
}
