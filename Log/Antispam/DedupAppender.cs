using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Antispam;

/// <summary>
/// What the front ends call instead of <see cref="ITransparencyLog.AddAsync"/>: the log with
/// tessera's antispam in front. In order: pushback while the persistent index lags too far, the
/// in-memory LRU (which also joins a repeat to a first add still in flight), the persistent index,
/// and only then the log. Dedup is best effort, as in tessera: it keeps honest retries and
/// resubmissions out of the log, it does not promise uniqueness.
/// </summary>
public sealed class DedupAppender : IAsyncDisposable
{
    private readonly ITransparencyLog _log;
    private readonly InMemoryDedup _recent;
    private readonly AntispamFollower? _follower;

    internal DedupAppender(ITransparencyLog log, InMemoryDedup recent, AntispamFollower? follower)
    {
        _log = log;
        _recent = recent;
        _follower = follower;
    }

    /// <summary>
    /// Puts antispam in front of <paramref name="log"/>. With <see cref="AntispamOptions.Persistent"/>
    /// it opens (or rebuilds) the flavour's index with <paramref name="openIndex"/> and starts its follower,
    /// woken each time the log integrates; if no index can be created at all it logs an error and
    /// deduplicates in memory only, since the log must not stop for its antispam.
    /// </summary>
    internal static async Task<DedupAppender> OpenAsync(Func<ILogger, IDedupIndex> openIndex, ITransparencyLog log, AntispamOptions options, ILogger logger)
    {
        options.Validate();
        AntispamFollower? follower = null;
        if (options.Persistent)
        {
            try
            {
                follower = await AntispamFollower.OpenAsync(openIndex, log.Reader, options, logger).ConfigureAwait(false);
            }
            catch (DedupIndexUnavailableException e)
            {
                AntispamEvents.PersistentUnavailable(logger, e);
            }
        }
        if (follower is not null)
            log.Integrated += follower.NotifyIntegrated;
        return new DedupAppender(log, new InMemoryDedup(options.InMemoryEntriesFor(persistentIndex: follower is not null)), follower);
    }

    /// <summary>True when duplicates are also looked up in the persistent index.</summary>
    public bool IsPersistent => _follower is not null;

    /// <summary>Integrated entries the persistent index does not cover yet (0 without one): a metric.</summary>
    public long FollowerLag => _follower?.Lag ?? 0;

    /// <summary>Entries below this index are in the persistent index (0 without one): a metric.</summary>
    public long FollowerNextIndex => _follower?.NextIndex ?? 0;

    /// <summary>True while adds are refused because the persistent index lags too far.</summary>
    public bool PushbackActive => _follower?.PushbackActive ?? false;

    /// <summary>As <see cref="AddAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, CancellationToken)"/>,
    /// computing the identity here.</summary>
    public Task<LogIndex> AddAsync(ReadOnlyMemory<byte> entry, CancellationToken cancel)
    {
        var identity = new byte[IdentityKey.Size];
        System.Security.Cryptography.SHA256.HashData(entry.Span, identity);
        return AddAsync(entry, identity, cancel);
    }

    /// <summary>
    /// Appends <paramref name="entry"/> unless an equal entry is known, and returns its durable
    /// index, or the first equal entry's index with <see cref="LogIndex.IsDuplicate"/>.
    /// <paramref name="identity"/> must be SHA-256 of <paramref name="entry"/>: that is what the
    /// follower stores. Fails with <see cref="PushbackException"/> (nothing written, retry later),
    /// <see cref="LogStoppedException"/>, <see cref="ArgumentException"/> for a malformed identity,
    /// or the log's own failures (<see cref="EntryTooLargeException"/> among them). Cancelling ends only the wait: an entry once
    /// queued is integrated, and a repeat gets its index.
    /// </summary>
    public async Task<LogIndex> AddAsync(ReadOnlyMemory<byte> entry, ReadOnlyMemory<byte> identity, CancellationToken cancel)
    {
        var key = new IdentityKey(identity.Span);
        if (_follower is { PushbackActive: true } follower)
            throw new PushbackException($"the antispam index is {follower.Lag} entries behind the log");
        var first = _recent.GetOrAdd(key, static s => s.Self.AddNew(s.Entry, s.Identity), (Self: this, Entry: entry, Identity: identity), out bool found);
        var result = await first.WaitAsync(cancel).ConfigureAwait(false);
        return found ? result with { IsDuplicate = true } : result;
    }

    /// <summary>Stops the follower after it indexed what the log holds now. Call it after the log's
    /// own shutdown, so that the entries the shutdown integrated are indexed too. The log itself
    /// is not touched: its owner shuts it down.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_follower is null)
            return;
        _log.Integrated -= _follower.NotifyIntegrated;
        await _follower.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>An identity the LRU does not know: the persistent index, then the log.</summary>
    private async Task<LogIndex> AddNew(ReadOnlyMemory<byte> entry, ReadOnlyMemory<byte> identity)
    {
        if (_follower is { } follower && await follower.FindAsync(identity).ConfigureAwait(false) is long index)
            return new LogIndex(index, IsDuplicate: true);
        return await Append(entry).ConfigureAwait(false);
    }

    private async Task<LogIndex> Append(ReadOnlyMemory<byte> entry)
    {
        // Not the caller's token: the LRU holds this task for every repeat of the entry. The
        // follower learns of the entry from the log's Integrated event, not from here: an index
        // is durable when Add resolves, but may not be integrated yet.
        long index = await _log.AddAsync(entry, CancellationToken.None).ConfigureAwait(false);
        return new LogIndex(index, IsDuplicate: false);
    }
}
