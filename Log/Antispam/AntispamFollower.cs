using Microsoft.Extensions.Logging;
using RekorPosix.Log.Following;

namespace RekorPosix.Log.Antispam;

/// <summary>
/// The dedup index and the <see cref="LogFollower"/> that feeds it the SHA-256 of each integrated
/// entry. Opening indexes the log's entries beyond the index when they are within the pushback
/// threshold, so that a repeat of an entry from before the start does not slip through while the
/// index catches up; farther behind, adds are pushed back until it has.
/// </summary>
internal sealed class AntispamFollower : IAsyncDisposable
{
    private readonly IDedupIndex _index;
    private readonly LogFollower _follower;
    private readonly long _pushbackThreshold;

    private AntispamFollower(IDedupIndex index, LogFollower follower, long pushbackThreshold)
    {
        _index = index;
        _follower = follower;
        _pushbackThreshold = pushbackThreshold;
    }

    /// <summary>Opens (or rebuilds) the index (the POSIX flavour keeps it in
    /// <c>.state/antispam.db</c>), indexes what the log has beyond it if that is within the
    /// pushback threshold, and starts following. Throws only when no index can be created at all.</summary>
    public static async Task<AntispamFollower> OpenAsync(Func<ILogger, IDedupIndex> openIndex, ILogReader reader, AntispamOptions options, ILogger logger)
    {
        options.Validate();
        var index = openIndex(logger);
        try
        {
            var follow = new FollowerOptions("Antispam", options.EffectiveMaxBatchSize, options.EffectivePushbackThreshold, options.PollInterval, options.DrainTimeout);
            var follower = await LogFollower.StartAsync(index, new DedupBatch(index, options.EffectiveMaxBatchSize), reader, follow, logger).ConfigureAwait(false);
            return new AntispamFollower(index, follower, options.EffectivePushbackThreshold);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Entries below this index are in the persistent index.</summary>
    public long NextIndex => _follower.NextIndex;

    /// <summary>Integrated entries not yet indexed, as far as this process knows the log's size.</summary>
    public long Lag => _follower.Lag;

    /// <summary>True while the lag exceeds the pushback threshold: adds are then refused, since
    /// duplicates among the unindexed entries would go unnoticed.</summary>
    public bool PushbackActive => Lag > _pushbackThreshold;

    /// <summary>The first index of an entry with this identity, as far as indexed; null if unknown.</summary>
    public ValueTask<long?> FindAsync(ReadOnlyMemory<byte> identity) => _index.FindAsync(identity);

    /// <summary>Tells the follower the log has at least <paramref name="size"/> integrated entries.</summary>
    public void NotifyIntegrated(long size) => _follower.NotifyIntegrated(size);

    /// <summary>Indexes what the log holds now (for at most the drain timeout), then stops and closes the index.</summary>
    public ValueTask DisposeAsync() => _follower.DisposeAsync();
}
