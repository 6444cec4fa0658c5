using System.Globalization;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using RekorPosix.Log.Search;

namespace RekorPosix.Log.Aws;

/// <summary>
/// The cloud flavours' search index, in the log's own database: SearchKeys (key, index) rows,
/// SearchFollowCoord with the followers' next index, SearchMeta with the key format's version.
/// Every server runs a follower and they take turns (<see cref="MySqlFollowedTables"/>); any
/// server answers queries. MySQL errors are retried by the follower, never taken for damage.
/// </summary>
internal sealed class MySqlSearchIndex(MySqlDataSource database, ILogger logger) : ISearchIndex
{
    public const long CompatibilityVersion = 1;

    /// <summary>Entries per commit: one bundle, a few hundred rows in one INSERT.</summary>
    public const int MaxBatchSize = 256;

    private static readonly string[] CreateTables =
    [
        "CREATE TABLE IF NOT EXISTS SearchMeta (id INT UNSIGNED NOT NULL, compatibilityVersion BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
        "CREATE TABLE IF NOT EXISTS SearchKeys (k BINARY(33) NOT NULL, idx BIGINT UNSIGNED NOT NULL, PRIMARY KEY(k, idx))",
        "CREATE TABLE IF NOT EXISTS SearchFollowCoord (id INT UNSIGNED NOT NULL, nextIdx BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
        $"INSERT IGNORE INTO SearchMeta (id, compatibilityVersion) VALUES (0, {CompatibilityVersion})",
        "INSERT IGNORE INTO SearchFollowCoord (id, nextIdx) VALUES (0, 0)",
    ];

    /// <summary>Creates what is missing and checks the version; a database that cannot be used is
    /// a <see cref="SearchIndexUnavailableException"/>.</summary>
    public static Func<ILogger, ISearchIndex> In(MySqlDataSource database) => logger =>
    {
        try
        {
            long found = MySqlFollowedTables.Create(database, CreateTables, "SELECT compatibilityVersion FROM SearchMeta WHERE id = 0");
            if (found != CompatibilityVersion)
                throw new LogStateException($"SearchMeta.compatibilityVersion is {found}; this build only understands {CompatibilityVersion}");
        }
        catch (Exception e) when (e is MySqlException or InvalidOperationException)
        {
            throw new SearchIndexUnavailableException($"the search tables cannot be used: {e.Message}", e);
        }
        return new MySqlSearchIndex(database, logger);
    };

    private readonly MySqlFollowedTables _tables = new(database, "SearchKeys", "k, idx", "SearchFollowCoord");

    public bool SuspectedDamaged => false;

    public bool IsDamage(Exception error) => false;

    public long ReadNextIndex() => _tables.ReadNextIndex();

    public long Commit(long first, int count, ReadOnlySpan<byte> rows)
    {
        int rowCount = rows.Length / SearchRows.RowSize;
        var values = new (byte[], long)[rowCount];
        for (int i = 0; i < rowCount; i++)
            values[i] = (SearchRows.KeyOf(rows, i).ToArray(), SearchRows.IndexOf(rows, i));
        return _tables.Commit(first, count, values);
    }

    public async ValueTask<IReadOnlyList<long>> FindAsync(SearchQuery query, SearchPage page, CancellationToken cancel)
    {
        var connection = await database.OpenConnectionAsync(cancel).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new MySqlCommand(SearchSql.Select("SearchKeys", "k", "idx", query.Keys.Count, query.MatchAll, '@'), connection);
            for (int i = 0; i < query.Keys.Count; i++)
                command.Parameters.AddWithValue($"@k{i}", query.Keys[i]);
            // The columns are unsigned: a negative bound (before the first page) is none.
            command.Parameters.AddWithValue("@after", page.After);
            command.Parameters.AddWithValue("@below", page.Below);
            command.Parameters.AddWithValue("@limit", page.Limit);
            var found = new List<long>();
            var rows = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
            await using (rows.ConfigureAwait(false))
            {
                while (await rows.ReadAsync(cancel).ConfigureAwait(false))
                    found.Add(Convert.ToInt64(rows.GetValue(0), CultureInfo.InvariantCulture));
            }
            return found;
        }
    }

    /// <summary>Asked for when the index claims more entries than the log has: it is another log's.
    /// The rows go and the followers start over from 0.</summary>
    public void Rebuild(string reason)
    {
        Following.IndexEvents.Rebuilding(logger, "search", "SearchKeys", reason, "(emptied)");
        _tables.Empty();
    }

    /// <summary>The data source belongs to the flavour, which disposes it.</summary>
    public void Dispose()
    {
    }
}
