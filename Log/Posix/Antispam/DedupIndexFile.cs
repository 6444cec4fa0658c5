using RekorPosix.Log.Posix.Sqlite;

namespace RekorPosix.Log.Antispam;

/// <summary>The antispam index file, <c>.state/antispam.db</c>: one row per identity, the first index it was seen at.</summary>
internal static class DedupIndexFile
{
    public const string FileName = "antispam.db";

    /// <summary>"RPAS" in the SQLite header.</summary>
    public static readonly SqliteIndexFile Kind = new("antispam", FileName, 0x52504153, 1,
        "CREATE TABLE identity (hash BLOB NOT NULL PRIMARY KEY, log_index INTEGER NOT NULL) WITHOUT ROWID;");
}
