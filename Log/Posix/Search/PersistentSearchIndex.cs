using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RekorPosix.Log.Posix.Sqlite;

namespace RekorPosix.Log.Search;

/// <summary>
/// The posix flavour's search index (<c>.state/search.db</c>) in a
/// <see cref="SqliteIndex{TWriter, TReader}"/>: parallel queries, one writer (the follower of this
/// process; another process's, such as the <c>search</c> command's, waits for SQLite's lock and
/// finds the rows it would write already there), a bad file moved aside and rebuilt.
/// </summary>
internal sealed class PersistentSearchIndex(SqliteIndex<SqliteIndexWriter, SearchIndexReader> file, bool readOnly)
    : SqliteFollowedIndex<SqliteIndexWriter, SearchIndexReader>(file, w => w.ReadNextIndex()), ISearchIndex
{
    /// <summary>Opens the index at <paramref name="path"/> to read and feed it (created, or started
    /// anew when the file is bad). Throws <see cref="SearchIndexUnavailableException"/> when no
    /// index can be created at all.</summary>
    public static PersistentSearchIndex Open(string path, ILogger logger) => Unavailable(path, () => new PersistentSearchIndex(
        SqliteIndex<SqliteIndexWriter, SearchIndexReader>.Open(path, SqliteIndexFile.Search, p => SqliteIndexWriter.Open(p, SqliteIndexFile.Search), p => new SearchIndexReader(p), w => w.ReadNextIndex(), logger),
        readOnly: false));

    /// <summary>An existing index, only read (a frozen log served read-only).</summary>
    public static PersistentSearchIndex OpenExisting(string path, ILogger logger) => Unavailable(path, () => new PersistentSearchIndex(
        SqliteIndex<SqliteIndexWriter, SearchIndexReader>.OpenExisting(path, SqliteIndexFile.Search, p => new SearchIndexReader(p), logger),
        readOnly: true));

    public override long ReadNextIndex() => readOnly ? File.Read(r => r.ReadNextIndex()) : base.ReadNextIndex();

    public long Commit(long first, int count, ReadOnlySpan<byte> rows)
    {
        byte[] copy = rows.ToArray();
        return File.Write(w => w.Commit(first, count, copy, SearchRows.RowSize, (row, _) => SearchRows.IndexOf(row, 0)));
    }

    /// <summary>SQLite in a local file answers at once, on the caller's thread.</summary>
    public ValueTask<IReadOnlyList<long>> FindAsync(SearchQuery query, SearchPage page, CancellationToken cancel) =>
        new(File.Read(r => r.Find(query, page)));

    private static PersistentSearchIndex Unavailable(string path, Func<PersistentSearchIndex> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException or InvalidDataException)
        {
            throw new SearchIndexUnavailableException($"no search index can be opened at {path}: {e.Message}", e);
        }
    }
}
