using Microsoft.Extensions.Logging;
using RekorPosix.Log.Following;

namespace RekorPosix.Log.Search;

/// <summary>The search follower's batch: the keys of each entry (<see cref="EntryKeys"/>) as rows,
/// committed to the index in one call. An entry that does not parse is counted and logged at most
/// once per interval: it never stops the follower.</summary>
internal sealed class SearchBatch(ISearchIndex index, ILogger logger) : IFollowerBatch
{
    private readonly SearchRows _rows = new();
    private readonly LogThrottle _unparseable = new();
    private long _skipped;
    // Counted when their batch is committed: a batch read again after a failure counts once.
    private int _pendingSkipped;

    /// <summary>Entries indexed by their leaf hash only, since they did not parse (this process).</summary>
    public long SkippedEntries => Interlocked.Read(ref _skipped);

    public void Clear()
    {
        _rows.Clear();
        _pendingSkipped = 0;
    }

    public void Add(long index, ReadOnlySpan<byte> entry)
    {
        if (EntryKeys.Add(entry, index, _rows) is not { } problem)
            return;
        _pendingSkipped++;
        if (_unparseable.TryPass(out int heldBack))
            SearchEvents.Unparseable(logger, index, problem, heldBack);
    }

    public long Commit(long first, int count)
    {
        try
        {
            long stored = index.Commit(first, count, _rows.Bytes);
            Interlocked.Add(ref _skipped, _pendingSkipped);
            return stored;
        }
        finally
        {
            Clear();
        }
    }
}
