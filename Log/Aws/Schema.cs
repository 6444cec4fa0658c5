namespace RekorPosix.Log.Aws;

/// <summary>tessera's AWS driver tables, exactly as the Go server creates them (names are
/// case-sensitive on Linux servers), and the initial rows, inserted so that they never reset a log.</summary>
internal static class Schema
{
    public static readonly string[] CreateTables =
    [
        "CREATE TABLE IF NOT EXISTS Tessera (id INT UNSIGNED NOT NULL, compatibilityVersion BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
        "CREATE TABLE IF NOT EXISTS SeqCoord (id INT UNSIGNED NOT NULL, next BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
        "CREATE TABLE IF NOT EXISTS Seq (id INT UNSIGNED NOT NULL, seq BIGINT UNSIGNED NOT NULL, v LONGBLOB, PRIMARY KEY(id, seq))",
        "CREATE TABLE IF NOT EXISTS IntCoord (id INT UNSIGNED NOT NULL, seq BIGINT UNSIGNED NOT NULL, rootHash TINYBLOB NOT NULL, PRIMARY KEY(id))",
        "CREATE TABLE IF NOT EXISTS PubCoord (id INT UNSIGNED NOT NULL, publishedAt BIGINT NOT NULL, size BIGINT UNSIGNED, PRIMARY KEY(id))",
    ];

    public const string CreateGcCoord =
        "CREATE TABLE IF NOT EXISTS GCCoord (id INT UNSIGNED NOT NULL, fromSize BIGINT NOT NULL, PRIMARY KEY(id))";

    public static readonly string[] InitialRows =
    [
        $"INSERT IGNORE INTO Tessera (id, compatibilityVersion) VALUES (0, {Coordinator.CompatibilityVersion})",
        "INSERT IGNORE INTO SeqCoord (id, next) VALUES (0, 0)",
        // The RFC 6962 root of the empty tree, SHA-256("").
        "INSERT IGNORE INTO IntCoord (id, seq, rootHash) VALUES (0, 0, X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')",
        "INSERT IGNORE INTO PubCoord (id, publishedAt, size) VALUES (0, 0, 0)",
        "INSERT IGNORE INTO GCCoord (id, fromSize) VALUES (0, 0)",
    ];
}
