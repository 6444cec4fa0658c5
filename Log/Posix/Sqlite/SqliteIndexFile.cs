using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace RekorPosix.Log.Posix.Sqlite;

/// <summary>
/// An index file under <c>.state/</c> (the dedup index, the search index): a SQLite database in WAL
/// mode with the index's own tables and one row holding its follower's next index. It is a cache of
/// what the log's entry bundles say, so a file that cannot be used is moved aside and built anew.
/// </summary>
/// <param name="Name">What it is, for messages ("antispam", "search").</param>
/// <param name="ApplicationId">Marks the file as ours in the SQLite header, so a foreign database is not taken for one.</param>
/// <param name="Tables">The index's own tables (the follower row is added to them).</param>
/// <param name="InsertRow">INSERT OR IGNORE of one row, from the parameters $key and $index.</param>
/// <param name="KeySize">Bytes of a row's key.</param>
internal sealed record SqliteIndexFile(string Name, string FileName, long ApplicationId, long SchemaVersion, string Tables, string InsertRow, int KeySize)
{
    /// <summary>The dedup index, <c>.state/antispam.db</c> ("RPAS"): one row per identity, the first index it was seen at.</summary>
    public static readonly SqliteIndexFile Antispam = new("antispam", "antispam.db", 0x52504153, 1,
        "CREATE TABLE identity (hash BLOB NOT NULL PRIMARY KEY, log_index INTEGER NOT NULL) WITHOUT ROWID;",
        "INSERT OR IGNORE INTO identity (hash, log_index) VALUES ($key, $index)", Log.Antispam.IdentityKey.Size);

    /// <summary>The search index, <c>.state/search.db</c> ("RPSI"): one row per (key, entry index),
    /// both the primary key, so a key's entries are one range in index order.</summary>
    public static readonly SqliteIndexFile Search = new("search", "search.db", 0x52505349, 1,
        "CREATE TABLE entry_key (key BLOB NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (key, log_index)) WITHOUT ROWID;",
        "INSERT OR IGNORE INTO entry_key (key, log_index) VALUES ($key, $index)", Log.Search.SearchKey.Size);

    public string CreateSchema => $"""
        {Tables}
        CREATE TABLE follower (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 0), next_index INTEGER NOT NULL);
        INSERT INTO follower (id, next_index) VALUES (0, 0);
        PRAGMA application_id = {ApplicationId};
        PRAGMA user_version = {SchemaVersion};
        """;

    // The journal files belong to the database of the same name; they move and go with it.
    private static readonly string[] Companions = ["", "-wal", "-shm"];
    private const string AsideSuffix = ".bad";
    // How long a statement waits for another connection's lock (another process's follower).
    private const int BusyTimeoutSeconds = 30;

    /// <summary>Our own pool keeps connections; SQLite's pool would keep files open after dispose.</summary>
    public static string ConnectionString(string path, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        Cache = SqliteCacheMode.Private,
        Pooling = false,
        DefaultTimeout = BusyTimeoutSeconds,
    }.ToString();

    /// <summary>True when the file itself is at fault (not SQLite, not the file system), so that
    /// moving it aside and rebuilding is the cure.</summary>
    public static bool IsBadFile(Exception e) => e is InvalidDataException
        || e is SqliteException { SqliteErrorCode: raw.SQLITE_CORRUPT or raw.SQLITE_NOTADB or raw.SQLITE_FORMAT };

    /// <summary>Renames the database and its journals to <c>NAME.db.bad*</c> (replacing an older
    /// bad copy, so they do not pile up) and returns the new name of the database.</summary>
    public static string MoveAside(string path)
    {
        string aside = path + AsideSuffix;
        foreach (string companion in Companions)
            File.Delete(aside + companion);
        foreach (string companion in Companions)
        {
            if (File.Exists(path + companion))
                File.Move(path + companion, aside + companion, overwrite: true);
        }
        return aside;
    }

    /// <summary>A journal without its database (someone deleted the database only) would be
    /// replayed into the new file and spoil it.</summary>
    public static void RemoveOrphanedJournals(string path)
    {
        if (File.Exists(path))
            return;
        foreach (string companion in Companions.AsSpan(1))
            File.Delete(path + companion);
    }
}
