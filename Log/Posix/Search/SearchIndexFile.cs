using RekorPosix.Log.Posix.Sqlite;

namespace RekorPosix.Log.Search;

/// <summary>The search index file, <c>.state/search.db</c>: one row per (key, entry index), both
/// the primary key, so a key's entries are one range in index order.</summary>
internal static class SearchIndexFile
{
    public const string FileName = "search.db";

    /// <summary>"RPSI" in the SQLite header.</summary>
    public static readonly SqliteIndexFile Kind = new("search", FileName, 0x52505349, 1,
        "CREATE TABLE entry_key (key BLOB NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (key, log_index)) WITHOUT ROWID;");

    public const string Table = "entry_key";
    public const string KeyColumn = "key";
    public const string IndexColumn = "log_index";
}
