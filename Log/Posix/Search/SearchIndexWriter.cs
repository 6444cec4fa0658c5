using Microsoft.Data.Sqlite;
using RekorPosix.Log.Posix.Sqlite;

namespace RekorPosix.Log.Search;

/// <summary>The search index's write connection: its insert prepared once on the index file's writer. Not thread-safe.</summary>
internal sealed class SearchIndexWriter : IDisposable
{
    private readonly SqliteIndexWriter _writer;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _index;
    private readonly byte[] _key = new byte[SearchKey.Size];

    private SearchIndexWriter(SqliteIndexWriter writer)
    {
        _writer = writer;
        _insert = writer.Prepare("INSERT OR IGNORE INTO entry_key (key, log_index) VALUES ($key, $index)",
            ("$key", SqliteType.Blob), ("$index", SqliteType.Integer));
        _insert.Parameters["$key"].Value = _key;
        _index = _insert.Parameters["$index"];
    }

    /// <summary>See <see cref="SqliteIndexWriter.Open"/>.</summary>
    public static SearchIndexWriter Open(string path)
    {
        var writer = SqliteIndexWriter.Open(path, SearchIndexFile.Kind);
        try
        {
            return new SearchIndexWriter(writer);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    public long ReadNextIndex() => _writer.ReadNextIndex();

    /// <summary>Stores the rows (<see cref="SearchRows"/>) and moves the next index past the
    /// <paramref name="count"/> entries from <paramref name="first"/>, in one transaction; a row
    /// already present stays as it is.</summary>
    public long Commit(long first, int count, byte[] rows)
    {
        int rowCount = rows.Length / SearchRows.RowSize;
        return _writer.Commit(first, count, () =>
        {
            for (int i = 0; i < rowCount; i++)
            {
                SearchRows.KeyOf(rows, i).CopyTo(_key);
                _index.Value = SearchRows.IndexOf(rows, i);
                _insert.ExecuteNonQuery();
            }
        }, _insert);
    }

    public void Dispose()
    {
        _insert.Dispose();
        _writer.Dispose();
    }
}
