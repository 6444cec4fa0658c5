using System.Text;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using RekorPosix.Log.Antispam;

namespace RekorPosix.Log.Aws;

/// <summary>
/// The antispam lookups of every add in flight, gathered into one query: while a SELECT runs the
/// next identities queue, and the queue then goes as one <c>SELECT h, idx FROM AntispamIDSeq WHERE h
/// IN (...)</c>. One statement per add cost MariaDB more CPU than the log's own statements, and as a
/// synchronous call it held a pool thread for each add (thousands in flight), which starved the
/// sequencer's continuations. A failed query answers "not indexed" to its callers, as tessera's
/// best-effort dedup does, and is logged.
/// </summary>
internal sealed class BatchedLookups(MySqlDataSource database, ILogger logger)
{
    /// <summary>Identities in one query at most: 512 × 32 bytes stays far below any max_allowed_packet.</summary>
    public const int MaxPerQuery = 512;

    private readonly Lock _gate = new();
    private List<Lookup> _queued = [];
    // True while a task runs queries; it ends when it finds the queue empty.
    private bool _running;

    /// <summary>The index AntispamIDSeq holds for <paramref name="identity"/> (32 bytes), or null.</summary>
    public Task<long?> FindAsync(ReadOnlyMemory<byte> identity)
    {
        var lookup = new Lookup(new IdentityKey(identity.Span), identity.ToArray());
        bool start;
        lock (_gate)
        {
            _queued.Add(lookup);
            start = !_running;
            _running = true;
        }
        if (start)
            _ = Task.Run(RunAsync);
        return lookup.Found.Task;
    }

    private async Task RunAsync()
    {
        while (Take() is { } batch)
            await AnswerAsync(batch).ConfigureAwait(false);
    }

    /// <summary>The next queries' worth of lookups; null (and no longer running) when none wait.</summary>
    private List<Lookup>? Take()
    {
        lock (_gate)
        {
            if (_queued.Count == 0)
            {
                _running = false;
                return null;
            }
            if (_queued.Count <= MaxPerQuery)
            {
                var all = _queued;
                _queued = [];
                return all;
            }
            var first = _queued.GetRange(0, MaxPerQuery);
            _queued.RemoveRange(0, MaxPerQuery);
            return first;
        }
    }

    /// <summary>Answers every lookup of the batch, whatever happens: a caller must never hang.</summary>
    private async Task AnswerAsync(List<Lookup> batch)
    {
        Dictionary<IdentityKey, long> indexed;
        try
        {
            indexed = await QueryAsync(batch).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            AntispamEvents.LookupFailed(logger, e);
            indexed = [];
        }
        foreach (var lookup in batch)
            lookup.Found.SetResult(indexed.TryGetValue(lookup.Key, out long index) ? index : null);
    }

    private async Task<Dictionary<IdentityKey, long>> QueryAsync(List<Lookup> batch)
    {
        await using var connection = await database.OpenConnectionAsync().ConfigureAwait(false);
        await using var select = new MySqlCommand { Connection = connection };
        var sql = new StringBuilder("SELECT h, idx FROM AntispamIDSeq WHERE h IN (");
        for (int i = 0; i < batch.Count; i++)
        {
            sql.Append(i == 0 ? "@h" : ",@h").Append(i);
            select.Parameters.AddWithValue("@h" + i, batch[i].Identity);
        }
        select.CommandText = sql.Append(')').ToString();
        var indexed = new Dictionary<IdentityKey, long>();
        await using var reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            // Only 32-byte identities are ever stored (the prefix key relies on it).
            var key = new IdentityKey((byte[])reader.GetValue(0));
            indexed.TryAdd(key, (long)reader.GetUInt64(1));
        }
        return indexed;
    }

    private sealed record Lookup(IdentityKey Key, byte[] Identity)
    {
        public TaskCompletionSource<long?> Found { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
