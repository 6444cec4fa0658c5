using Microsoft.Data.Sqlite;
using RekorPosix.Log.Posix.Sqlite;

namespace RekorPosix.Log.Search;

/// <summary>One read connection to the search index, each query shape prepared on first use. Not
/// thread-safe: <see cref="PersistentSearchIndex"/> lends each to one caller at a time.</summary>
internal sealed class SearchIndexReader : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<(int Keys, bool MatchAll), SqliteCommand> _queries = [];

    public SearchIndexReader(string path)
    {
        // ReadWrite, not ReadOnly: a WAL reader has to be able to write the shared-memory index.
        _connection = new SqliteConnection(SqliteIndexFile.ConnectionString(path, SqliteOpenMode.ReadWrite));
        _connection.Open();
    }

    public long ReadNextIndex()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT next_index FROM follower WHERE id = 0";
        return (long)command.ExecuteScalar()!;
    }

    public List<long> Find(SearchQuery query, SearchPage page)
    {
        var command = Query(query.Keys.Count, query.MatchAll);
        for (int i = 0; i < query.Keys.Count; i++)
            command.Parameters[i].Value = query.Keys[i];
        command.Parameters["$after"].Value = page.After;
        command.Parameters["$below"].Value = page.Below;
        command.Parameters["$limit"].Value = page.Limit;
        var found = new List<long>();
        using var rows = command.ExecuteReader();
        while (rows.Read())
            found.Add(rows.GetInt64(0));
        return found;
    }

    public void Dispose()
    {
        foreach (var query in _queries.Values)
            query.Dispose();
        _connection.Dispose();
    }

    private SqliteCommand Query(int keys, bool matchAll)
    {
        if (_queries.TryGetValue((keys, matchAll), out var command))
            return command;
        command = _connection.CreateCommand();
        command.CommandText = Search.SearchSql.Select("entry_key", "key", "log_index", keys, matchAll, '$');
        for (int i = 0; i < keys; i++)
            command.Parameters.Add($"$k{i}", SqliteType.Blob);
        command.Parameters.Add("$after", SqliteType.Integer);
        command.Parameters.Add("$below", SqliteType.Integer);
        command.Parameters.Add("$limit", SqliteType.Integer);
        command.Prepare();
        _queries[(keys, matchAll)] = command;
        return command;
    }
}
