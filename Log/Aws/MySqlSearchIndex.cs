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
internal sealed class MySqlSearchIndex(MySqlDataSource database, ILogger logger)
    : MySqlFollowedIndex(new MySqlFollowedTables(database, "SearchKeys", "k, idx", "SearchFollowCoord"), "search", "SearchKeys", logger), ISearchIndex
{
    public const long CompatibilityVersion = 1;

    /// <summary>Entries per commit: one bundle, a few hundred rows in one INSERT.</summary>
    public const int MaxBatchSize = 256;

    /// <summary>Creates what is missing and checks the version; a database that cannot be used is
    /// a <see cref="SearchIndexUnavailableException"/>.</summary>
    public static Func<ILogger, ISearchIndex> In(MySqlDataSource database) => logger => MySqlFollowedTables.Open(database, "SearchMeta",
        "CREATE TABLE IF NOT EXISTS SearchKeys (k BINARY(33) NOT NULL, idx BIGINT UNSIGNED NOT NULL, PRIMARY KEY(k, idx))", "SearchFollowCoord",
        CompatibilityVersion, (message, e) => new SearchIndexUnavailableException(message, e), () => new MySqlSearchIndex(database, logger));

    public long Commit(long first, int count, ReadOnlySpan<byte> rows)
    {
        int rowCount = rows.Length / SearchRows.RowSize;
        var values = new (byte[], long)[rowCount];
        for (int i = 0; i < rowCount; i++)
            values[i] = (SearchRows.KeyOf(rows, i).ToArray(), SearchRows.IndexOf(rows, i));
        return Tables.Commit(first, count, values);
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
}
