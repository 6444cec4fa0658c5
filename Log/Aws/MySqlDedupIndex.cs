using System.Data;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using RekorPosix.Log.Antispam;

namespace RekorPosix.Log.Aws;

/// <summary>
/// The cloud flavours' antispam index: tessera's MySQL antispam tables in the log's own database
/// (AntispamMeta, AntispamIDSeq keyed by the entry's SHA-256, AntispamFollowCoord), so that a Go
/// server sharing the database finds the same duplicates. Every server runs a follower; they take
/// turns under the AntispamFollowCoord row lock, and one that finds the position moved on skips
/// ahead. MySQL errors are retried by the follower, never taken for damage.
/// </summary>
internal sealed class MySqlDedupIndex(MySqlDataSource database, ILogger logger) : IDedupIndex
{
    public const long CompatibilityVersion = 1;

    /// <summary>tessera's antispam batch for this backend when --antispam-max-batch-size is 0.</summary>
    public const int DefaultMaxBatchSize = 64;

    private static readonly string[] CreateTables =
    [
        "CREATE TABLE IF NOT EXISTS AntispamMeta (id INT UNSIGNED NOT NULL, compatibilityVersion BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
        "CREATE TABLE IF NOT EXISTS AntispamIDSeq (h TINYBLOB NOT NULL, idx BIGINT UNSIGNED NOT NULL, PRIMARY KEY(h(32)))",
        "CREATE TABLE IF NOT EXISTS AntispamFollowCoord (id INT UNSIGNED NOT NULL, nextIdx BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
        $"INSERT IGNORE INTO AntispamMeta (id, compatibilityVersion) VALUES (0, {CompatibilityVersion})",
        "INSERT IGNORE INTO AntispamFollowCoord (id, nextIdx) VALUES (0, 0)",
    ];

    /// <summary>Creates what is missing and checks the version; a database that cannot be reached
    /// leaves the log with in-memory dedup (<see cref="DedupIndexUnavailableException"/>).</summary>
    public static Func<ILogger, IDedupIndex> In(MySqlDataSource database) => logger =>
    {
        try
        {
            using var connection = database.OpenConnection();
            foreach (string sql in CreateTables)
            {
                using var command = new MySqlCommand(sql, connection);
                command.ExecuteNonQuery();
            }
            using var version = new MySqlCommand("SELECT compatibilityVersion FROM AntispamMeta WHERE id = 0", connection);
            long found = Convert.ToInt64(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            if (found != CompatibilityVersion)
                throw new LogStateException($"AntispamMeta.compatibilityVersion is {found}; this build only understands {CompatibilityVersion}");
        }
        catch (Exception e) when (e is MySqlException or InvalidOperationException)
        {
            throw new DedupIndexUnavailableException($"the antispam tables cannot be used: {e.Message}", e);
        }
        return new MySqlDedupIndex(database, logger);
    };

    private readonly BatchedLookups _lookups = new(database, logger);

    public bool SuspectedDamaged => false;

    public bool IsDamage(Exception error) => false;

    /// <summary>Gathered with the other adds' lookups into one query (<see cref="BatchedLookups"/>).</summary>
    public ValueTask<long?> FindAsync(ReadOnlyMemory<byte> identity) => new(_lookups.FindAsync(identity));

    public long ReadNextIndex()
    {
        using var connection = database.OpenConnection();
        using var command = new MySqlCommand("SELECT nextIdx FROM AntispamFollowCoord WHERE id = 0", connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One transaction: the position locked and checked, the identities inserted with
    /// INSERT IGNORE (the earliest index of a repeat stays), the position moved.</summary>
    public long Commit(long first, ReadOnlySpan<byte> identities)
    {
        int count = identities.Length / IdentityKey.Size;
        using var connection = database.OpenConnection();
        using var tx = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        using (var select = new MySqlCommand("SELECT nextIdx FROM AntispamFollowCoord WHERE id = 0 FOR UPDATE", connection, tx))
        {
            long next = Convert.ToInt64(select.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            if (next != first)
                return next; // another server's follower got here first
        }
        if (count > 0)
        {
            using var insert = new MySqlCommand { Connection = connection, Transaction = tx };
            var values = new System.Text.StringBuilder("INSERT IGNORE INTO AntispamIDSeq (h, idx) VALUES ");
            for (int i = 0; i < count; i++)
            {
                values.Append(i == 0 ? "" : ",").Append("(@h").Append(i).Append(", @i").Append(i).Append(')');
                insert.Parameters.AddWithValue("@h" + i, identities.Slice(i * IdentityKey.Size, IdentityKey.Size).ToArray());
                insert.Parameters.AddWithValue("@i" + i, (ulong)(first + i));
            }
            insert.CommandText = values.ToString();
            insert.ExecuteNonQuery();
        }
        using (var update = new MySqlCommand("UPDATE AntispamFollowCoord SET nextIdx = @next WHERE id = 0", connection, tx))
        {
            update.Parameters.AddWithValue("@next", (ulong)(first + count));
            update.ExecuteNonQuery();
        }
        tx.Commit();
        return first + count;
    }

    /// <summary>Asked for when the index claims more entries than the log has: it is another log's.
    /// The identities go and the follower starts over from 0.</summary>
    public void Rebuild(string reason)
    {
        Following.IndexEvents.Rebuilding(logger, "antispam", "AntispamIDSeq", reason, "(emptied)");
        using var connection = database.OpenConnection();
        using var tx = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        foreach (string sql in new[] { "DELETE FROM AntispamIDSeq", "UPDATE AntispamFollowCoord SET nextIdx = 0 WHERE id = 0" })
        {
            using var command = new MySqlCommand(sql, connection, tx);
            command.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>The data source belongs to the flavour, which disposes it.</summary>
    public void Dispose()
    {
    }
}
