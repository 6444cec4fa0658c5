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
internal sealed class PersistentSearchIndex : ISearchIndex
{
    private readonly SqliteIndex<SearchIndexWriter, SearchIndexReader> _file;
    private readonly bool _readOnly;

    private PersistentSearchIndex(SqliteIndex<SearchIndexWriter, SearchIndexReader> file, bool readOnly)
    {
        _file = file;
        _readOnly = readOnly;
    }

    public string Path => _file.Path;

    public bool SuspectedDamaged => _file.SuspectedDamaged;

    /// <summary>Opens the index at <paramref name="path"/> to read and feed it (created, or started
    /// anew when the file is bad). Throws <see cref="SearchIndexUnavailableException"/> when no
    /// index can be created at all.</summary>
    public static PersistentSearchIndex Open(string path, ILogger logger) => Unavailable(path, () => new PersistentSearchIndex(
        SqliteIndex<SearchIndexWriter, SearchIndexReader>.Open(path, SearchIndexFile.Kind, SearchIndexWriter.Open, p => new SearchIndexReader(p), w => w.ReadNextIndex(), logger),
        readOnly: false));

    /// <summary>An existing index, only read (a frozen log served read-only).</summary>
    public static PersistentSearchIndex OpenExisting(string path, ILogger logger) => Unavailable(path, () => new PersistentSearchIndex(
        SqliteIndex<SearchIndexWriter, SearchIndexReader>.OpenExisting(path, SearchIndexFile.Kind, p => new SearchIndexReader(p), logger),
        readOnly: true));

    public long ReadNextIndex() => _readOnly ? _file.Read(r => r.ReadNextIndex()) : _file.Write(w => w.ReadNextIndex());

    public long Commit(long first, int count, ReadOnlySpan<byte> rows)
    {
        byte[] copy = rows.ToArray();
        return _file.Write(w => w.Commit(first, count, copy));
    }

    /// <summary>SQLite in a local file answers at once, on the caller's thread.</summary>
    public ValueTask<IReadOnlyList<long>> FindAsync(SearchQuery query, SearchPage page, CancellationToken cancel) =>
        new(_file.Read(r => r.Find(query, page)));

    public void Rebuild(string reason) => _file.Rebuild(reason);

    public bool IsDamage(Exception error) => SqliteIndexFile.IsBadFile(error);

    public void Dispose() => _file.Dispose();

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
