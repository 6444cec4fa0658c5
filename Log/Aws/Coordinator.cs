using System.Data;
using MySqlConnector;

namespace RekorPosix.Log.Aws;

/// <summary>
/// The log's coordination in MySQL, tessera's AWS driver schema as rekor-tiles' Go server leaves it
/// (compatibility version 1), so that either server can continue the other's database: SeqCoord
/// serialises sequencers, Seq holds sequenced batches until integration, IntCoord is the integrated
/// tree, PubCoord paces publication, GCCoord tracks garbage collection. Every coordination
/// transaction is READ COMMITTED: correctness rests on the FOR UPDATE row locks, not on gap locks,
/// and REPEATABLE READ's gap lock up to the supremum stalls sequencing for a whole integration.
/// </summary>
internal sealed class Coordinator(MySqlDataSource database)
{
    public const long CompatibilityVersion = 1;

    /// <summary>Seq rows (batches) one integration takes at most, as tessera.</summary>
    public const int MaxBatchesPerIntegration = 20480;

    /// <summary>Creates what is missing, migrates PubCoord, inserts the initial rows without ever
    /// resetting a log, and refuses another compatibility version.</summary>
    public async Task InitAsync(CancellationToken cancel)
    {
        await using var connection = await database.OpenConnectionAsync(cancel).ConfigureAwait(false);
        foreach (string ddl in Schema.CreateTables)
            await ExecuteAsync(connection, null, ddl, cancel).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, null, "ALTER TABLE PubCoord ADD COLUMN size BIGINT UNSIGNED", cancel).ConfigureAwait(false);
        }
        catch (MySqlException e) when (e.Number == 1060)
        {
            // The column is there already (MySQL has no ADD COLUMN IF NOT EXISTS).
        }
        await ExecuteAsync(connection, null, Schema.CreateGcCoord, cancel).ConfigureAwait(false);
        foreach (string row in Schema.InitialRows)
            await ExecuteAsync(connection, null, row, cancel).ConfigureAwait(false);
        await using var command = new MySqlCommand("SELECT compatibilityVersion FROM Tessera WHERE id = 0", connection);
        long version = Convert.ToInt64(await command.ExecuteScalarAsync(cancel).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (version != CompatibilityVersion)
            throw new LogStateException($"the database's Tessera.compatibilityVersion is {version}; this build only understands {CompatibilityVersion}");
    }

    /// <summary>The integrated tree (IntCoord), an autocommit read.</summary>
    public async Task<TreeHead> ReadIntegratedAsync(CancellationToken cancel)
    {
        await using var connection = await database.OpenConnectionAsync(cancel).ConfigureAwait(false);
        return await ReadIntCoordAsync(connection, null, forUpdate: false, cancel).ConfigureAwait(false);
    }

    /// <summary>PubCoord's row as a sequencer read it. Every publication changes it, and a forced
    /// one (a freeze's among them) always moves publishedAt (see <see cref="PublishAsync"/>).</summary>
    public sealed record PublicationMark(long PublishedAt, long? Size);

    /// <summary>
    /// Assigns the batch its indices under the SeqCoord row lock and stores it as one Seq row
    /// (<paramref name="encode"/> gets the first index and returns the gob blob); durable once this
    /// returns. Refused with <see cref="PushbackException"/> when more than
    /// <paramref name="maxOutstanding"/> entries wait for integration. <paramref name="throwIfFrozen"/>
    /// gets PubCoord's row as committed when the lock was granted.
    /// Synchronous on purpose, as the POSIX driver's sequencing: the append lifecycle calls it on its
    /// own sequencer thread, where blocking costs nothing. Awaited, each of its seven statements'
    /// continuations waited in the thread pool's queue behind every request in flight, and a batch
    /// took 120 ms at saturation while the database spent a few.
    /// </summary>
    public long Sequence(int count, Func<long, byte[]> encode, long maxOutstanding, Action<PublicationMark> throwIfFrozen)
    {
        using var connection = database.OpenConnection();
        long integrated = Scalar(connection, null, "SELECT seq FROM IntCoord WHERE id = 0");
        using var tx = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        long next = Scalar(connection, tx, "SELECT next FROM SeqCoord WHERE id = 0 FOR UPDATE");
        // Under the lock a freeze holds while it writes the final checkpoint and commits PubCoord:
        // the row read now shows any freeze that ended before, so none can slip past it.
        throwIfFrozen(ReadPublicationMark(connection, tx));
        if (next - integrated > maxOutstanding)
            throw new PushbackException($"{next - integrated} entries wait for integration (at most {maxOutstanding})");
        using (var insert = new MySqlCommand("INSERT INTO Seq(id, seq, v) VALUES(0, @seq, @v)", connection, tx))
        {
            insert.Parameters.AddWithValue("@seq", (ulong)next);
            insert.Parameters.AddWithValue("@v", encode(next));
            insert.ExecuteNonQuery();
        }
        using (var update = new MySqlCommand("UPDATE SeqCoord SET next = next + @n WHERE id = 0", connection, tx))
        {
            update.Parameters.AddWithValue("@n", (ulong)count);
            update.ExecuteNonQuery();
        }
        tx.Commit();
        return next;
    }

    /// <summary>
    /// Integrates the sequenced batches in order under the IntCoord row lock: <paramref name="integrate"/>
    /// writes their tiles and bundles to the bucket and returns the new head; only then are IntCoord
    /// and the consumed Seq rows committed together. A crash before the commit leaves both as they
    /// were, and the next integration rewrites the same bytes. Returns the integrated head.
    /// </summary>
    public async Task<TreeHead> ConsumeAsync(Func<TreeHead, IReadOnlyList<byte[]>, Task<TreeHead>> integrate, bool force, CancellationToken cancel) =>
        await TryConsumeAsync(integrate, force, waitForLock: true, cancel).ConfigureAwait(false)
        ?? throw new InvalidOperationException("an integration that waits for its lock always gets it");

    /// <summary>As <see cref="ConsumeAsync"/>; with <paramref name="waitForLock"/> false, null after a
    /// second's wait when another server holds IntCoord (it is integrating).</summary>
    public async Task<TreeHead?> TryConsumeAsync(Func<TreeHead, IReadOnlyList<byte[]>, Task<TreeHead>> integrate, bool force, bool waitForLock,
        CancellationToken cancel)
    {
        await using var connection = await database.OpenConnectionAsync(cancel).ConfigureAwait(false);
        if (!waitForLock)
            await ExecuteAsync(connection, null, "SET SESSION innodb_lock_wait_timeout = 1", cancel).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancel).ConfigureAwait(false);
        TreeHead head;
        try
        {
            head = await ReadIntCoordAsync(connection, tx, forUpdate: true, cancel).ConfigureAwait(false);
        }
        catch (MySqlException e) when (!waitForLock && e.Number == 1205)
        {
            return null;
        }
        var rows = new List<(long Seq, byte[] Blob)>();
        await using (var select = new MySqlCommand("SELECT seq, v FROM Seq WHERE id = 0 AND seq >= @from ORDER BY seq LIMIT @limit FOR UPDATE", connection, tx))
        {
            select.Parameters.AddWithValue("@from", (ulong)head.Size);
            select.Parameters.AddWithValue("@limit", MaxBatchesPerIntegration);
            await using var reader = await select.ExecuteReaderAsync(cancel).ConfigureAwait(false);
            while (await reader.ReadAsync(cancel).ConfigureAwait(false))
                rows.Add(((long)reader.GetUInt64(0), reader.IsDBNull(1) ? [] : (byte[])reader.GetValue(1)));
        }
        if (rows.Count == 0 && !force)
            return head;
        var grown = await integrate(head, rows.ConvertAll(r => r.Blob)).ConfigureAwait(false);
        await using (var update = new MySqlCommand("UPDATE IntCoord SET seq = @seq, rootHash = @root WHERE id = 0", connection, tx))
        {
            update.Parameters.AddWithValue("@seq", (ulong)grown.Size);
            update.Parameters.AddWithValue("@root", grown.Root);
            await update.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        if (rows.Count > 0)
        {
            await using var delete = new MySqlCommand(
                $"DELETE FROM Seq WHERE id = 0 AND seq IN ({string.Join(',', rows.Select(r => r.Seq))})", connection, tx);
            await delete.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancel).ConfigureAwait(false);
        return grown;
    }

    /// <summary>
    /// One publication attempt under the PubCoord row lock, so that at most one checkpoint per
    /// interval is published across every server: when due, <paramref name="publish"/> makes and
    /// stores the checkpoint for the committed IntCoord, then publishedAt and size are committed.
    /// publishedAt is written in seconds, as tessera v1.0.4 (a Go server sharing the database reads
    /// nanoseconds as a time far ahead and would never publish again), and read in either unit.
    /// A forced publication writes at least a second past the last one, so that PubCoord's row
    /// changes even when it comes in the same second with the same size: the sequencers trust an
    /// unchanged row to mean "no freeze since" (<see cref="PublicationMark"/>). Returns whether it
    /// published, when the next attempt may, and PubCoord.size as this attempt found it under the
    /// lock (what another server published while it waited for the lock).
    /// </summary>
    public async Task<(bool Published, DateTimeOffset NextAttempt, long? PublishedSize)> PublishAsync(PublicationPace pace, Func<TreeHead, Task> publish, CancellationToken cancel)
    {
        await using var connection = await database.OpenConnectionAsync(cancel).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancel).ConfigureAwait(false);
        long publishedAt;
        long? size;
        await using (var select = new MySqlCommand("SELECT publishedAt, size FROM PubCoord WHERE id = 0 FOR UPDATE", connection, tx))
        await using (var reader = await select.ExecuteReaderAsync(cancel).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancel).ConfigureAwait(false))
                throw NoRow("PubCoord");
            publishedAt = reader.GetInt64(0);
            size = reader.IsDBNull(1) ? null : (long)reader.GetUInt64(1);
        }
        var last = PublishedAt(publishedAt);
        var age = pace.Now - last;
        if (!pace.Force && age < pace.Interval)
            return (false, last + pace.Interval, size);
        var head = await ReadIntCoordAsync(connection, tx, forUpdate: false, cancel).ConfigureAwait(false);
        bool due = pace.Force || size is null || head.Size > size || age >= pace.RepublishInterval;
        if (!due)
            return (false, pace.Now + pace.Interval, size);
        await publish(head).ConfigureAwait(false);
        await using (var update = new MySqlCommand("UPDATE PubCoord SET publishedAt = @at, size = @size WHERE id = 0", connection, tx))
        {
            long at = pace.Now.ToUnixTimeSeconds();
            update.Parameters.AddWithValue("@at", pace.Force ? Math.Max(at, last.ToUnixTimeSeconds() + 1) : at);
            update.Parameters.AddWithValue("@size", (ulong)head.Size);
            await update.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancel).ConfigureAwait(false);
        return (true, pace.Now + pace.Interval, head.Size);
    }

    /// <summary>PubCoord's row, a plain read: under READ COMMITTED it sees the latest commit.</summary>
    private static PublicationMark ReadPublicationMark(MySqlConnection connection, MySqlTransaction tx)
    {
        using var select = new MySqlCommand("SELECT publishedAt, size FROM PubCoord WHERE id = 0", connection, tx);
        using var reader = select.ExecuteReader();
        if (!reader.Read())
            throw NoRow("PubCoord");
        return new PublicationMark(reader.GetInt64(0), reader.IsDBNull(1) ? null : (long)reader.GetUInt64(1));
    }

    /// <summary>Runs <paramref name="action"/> while holding the SeqCoord row lock, so that no server
    /// sequences meanwhile (a freeze); released whatever happens, nothing committed by it.</summary>
    public async Task<T> WithSequencingStoppedAsync<T>(Func<Task<T>> action, CancellationToken cancel)
    {
        await using var connection = await database.OpenConnectionAsync(cancel).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancel).ConfigureAwait(false);
        await ScalarAsync(connection, tx, "SELECT next FROM SeqCoord WHERE id = 0 FOR UPDATE", cancel).ConfigureAwait(false);
        try
        {
            return await action().ConfigureAwait(false);
        }
        finally
        {
            await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>tessera HEAD's rule: below this a publishedAt is seconds, else nanoseconds.</summary>
    private const long NanosecondsFrom = 1_310_324_790_000;

    private static DateTimeOffset PublishedAt(long value) => value < NanosecondsFrom
        ? DateTimeOffset.FromUnixTimeSeconds(value)
        : DateTimeOffset.UnixEpoch.AddTicks(value / 100);

    /// <summary>
    /// Under the GCCoord row lock: hands each entry bundle from GCCoord.fromSize on that
    /// <paramref name="publishedSize"/> covers in full to <paramref name="collect"/> (which deletes the
    /// partials it completed), at most <paramref name="maxBundles"/>, and advances fromSize past
    /// them. True when more is left.
    /// </summary>
    public async Task<bool> CollectGarbageAsync(long publishedSize, int maxBundles, Func<long, Task> collect, CancellationToken cancel)
    {
        await using var connection = await database.OpenConnectionAsync(cancel).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancel).ConfigureAwait(false);
        long from = await ScalarAsync(connection, tx, "SELECT fromSize FROM GCCoord WHERE id = 0 FOR UPDATE", cancel).ConfigureAwait(false);
        var (to, moreLeft) = await Cloud.GarbageWalk.RunAsync(from, publishedSize, maxBundles, collect).ConfigureAwait(false);
        if (to > from)
        {
            await using var update = new MySqlCommand("UPDATE GCCoord SET fromSize = @to WHERE id = 0", connection, tx);
            update.Parameters.AddWithValue("@to", to);
            await update.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancel).ConfigureAwait(false);
        return moreLeft;
    }

    private static async Task<TreeHead> ReadIntCoordAsync(MySqlConnection connection, MySqlTransaction? tx, bool forUpdate, CancellationToken cancel)
    {
        await using var command = new MySqlCommand(
            "SELECT seq, rootHash FROM IntCoord WHERE id = 0" + (forUpdate ? " FOR UPDATE" : ""), connection, tx);
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancel).ConfigureAwait(false))
            throw NoRow("IntCoord");
        return new TreeHead((long)reader.GetUInt64(0), (byte[])reader.GetValue(1));
    }

    /// <summary>A coordination table without its one row: the schema was never initialised here.</summary>
    private static LogStateException NoRow(string table) => new($"{table} has no row: the schema was not initialised");

    /// <summary>The one value <paramref name="sql"/> selects; a missing row means an uninitialised schema.</summary>
    private static long Scalar(MySqlConnection connection, MySqlTransaction? tx, string sql)
    {
        using var command = new MySqlCommand(sql, connection, tx);
        return ToLong(command.ExecuteScalar(), sql);
    }

    private static long ToLong(object? value, string sql) => value is null or DBNull
        ? throw new LogStateException($"no row for: {sql}")
        : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<long> ScalarAsync(MySqlConnection connection, MySqlTransaction? tx, string sql, CancellationToken cancel)
    {
        await using var command = new MySqlCommand(sql, connection, tx);
        return ToLong(await command.ExecuteScalarAsync(cancel).ConfigureAwait(false), sql);
    }

    private static async Task ExecuteAsync(MySqlConnection connection, MySqlTransaction? tx, string sql, CancellationToken cancel)
    {
        await using var command = new MySqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
    }
}
