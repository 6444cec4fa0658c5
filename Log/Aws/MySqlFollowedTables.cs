using System.Data;
using System.Globalization;
using System.Text;
using MySqlConnector;

namespace RekorPosix.Log.Aws;

/// <summary>
/// A followed index's tables in the log's database: rows (inserted with INSERT IGNORE, so a row
/// already present stays) and a coordination row holding the next index. Every server runs a
/// follower; they take turns under the coordination row's lock, and one that finds the position
/// moved on skips ahead.
/// </summary>
/// <param name="rowsTable">The rows' table.</param>
/// <param name="columns">Its two columns, as the inserts name them: the key, the index.</param>
/// <param name="coordTable">The one-row table (id 0) with the <c>nextIdx</c> column.</param>
internal sealed class MySqlFollowedTables(MySqlDataSource database, string rowsTable, string columns, string coordTable)
{
    /// <summary>
    /// Creates what is missing (<paramref name="metaTable"/> with the compatibilityVersion, the
    /// rows' table as <paramref name="createRows"/> has it, <paramref name="coordTable"/> with the
    /// next index), never resetting what is there; checks the version and makes the index. A
    /// database that cannot be used is the exception <paramref name="unavailable"/> makes of the
    /// message and cause; a version this build does not know, a <see cref="LogStateException"/>.
    /// </summary>
    public static T Open<T>(MySqlDataSource database, string metaTable, string createRows, string coordTable, long version,
        Func<string, Exception, Exception> unavailable, Func<T> make)
    {
        string[] createTables =
        [
            $"CREATE TABLE IF NOT EXISTS {metaTable} (id INT UNSIGNED NOT NULL, compatibilityVersion BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
            createRows,
            $"CREATE TABLE IF NOT EXISTS {coordTable} (id INT UNSIGNED NOT NULL, nextIdx BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
            $"INSERT IGNORE INTO {metaTable} (id, compatibilityVersion) VALUES (0, {version})",
            $"INSERT IGNORE INTO {coordTable} (id, nextIdx) VALUES (0, 0)",
        ];
        try
        {
            using var connection = database.OpenConnection();
            foreach (string sql in createTables)
            {
                using var command = new MySqlCommand(sql, connection);
                command.ExecuteNonQuery();
            }
            using var read = new MySqlCommand($"SELECT compatibilityVersion FROM {metaTable} WHERE id = 0", connection);
            long found = Convert.ToInt64(read.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (found != version)
                throw new LogStateException($"{metaTable}.compatibilityVersion is {found}; this build only understands {version}");
        }
        catch (Exception e) when (e is MySqlException or InvalidOperationException)
        {
            throw unavailable($"the {metaTable} tables cannot be used: {e.Message}", e);
        }
        return make();
    }

    public long ReadNextIndex()
    {
        using var connection = database.OpenConnection();
        using var command = new MySqlCommand($"SELECT nextIdx FROM {coordTable} WHERE id = 0", connection);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>One transaction: the position locked and checked, the <paramref name="rows"/> (key,
    /// index) inserted, the position moved past the <paramref name="count"/> entries from
    /// <paramref name="first"/>.</summary>
    public long Commit(long first, int count, IReadOnlyList<(byte[] Key, long Index)> rows)
    {
        using var connection = database.OpenConnection();
        using var tx = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        using (var select = new MySqlCommand($"SELECT nextIdx FROM {coordTable} WHERE id = 0 FOR UPDATE", connection, tx))
        {
            long next = Convert.ToInt64(select.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (next != first)
                return next; // another server's follower got here first
        }
        if (rows.Count > 0)
        {
            using var insert = new MySqlCommand { Connection = connection, Transaction = tx };
            var values = new StringBuilder($"INSERT IGNORE INTO {rowsTable} ({columns}) VALUES ");
            for (int i = 0; i < rows.Count; i++)
            {
                values.Append(i == 0 ? "" : ",").Append("(@k").Append(i).Append(", @i").Append(i).Append(')');
                insert.Parameters.AddWithValue("@k" + i, rows[i].Key);
                insert.Parameters.AddWithValue("@i" + i, (ulong)rows[i].Index);
            }
            insert.CommandText = values.ToString();
            insert.ExecuteNonQuery();
        }
        using (var update = new MySqlCommand($"UPDATE {coordTable} SET nextIdx = @next WHERE id = 0", connection, tx))
        {
            update.Parameters.AddWithValue("@next", (ulong)(first + count));
            update.ExecuteNonQuery();
        }
        tx.Commit();
        return first + count;
    }

    /// <summary>Empties the rows and starts the position over from 0.</summary>
    public void Empty()
    {
        using var connection = database.OpenConnection();
        using var tx = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        foreach (string sql in new[] { $"DELETE FROM {rowsTable}", $"UPDATE {coordTable} SET nextIdx = 0 WHERE id = 0" })
        {
            using var command = new MySqlCommand(sql, connection, tx);
            command.ExecuteNonQuery();
        }
        tx.Commit();
    }
}
