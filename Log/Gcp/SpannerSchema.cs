namespace RekorPosix.Log.Gcp;

/// <summary>
/// tessera's GCP driver tables in the <c>--gcp-spanner</c> database, as the Go server creates them
/// (spec gcp-spanner-flavour.md §3.1, §3.4): same names, types and key order, so that either server
/// can continue the other's database. Spanner has no unsigned type: every counter is INT64.
/// </summary>
internal static class SpannerSchema
{
    public static readonly string[] CreateTables =
    [
        "CREATE TABLE IF NOT EXISTS Tessera (id INT64 NOT NULL, compatibilityVersion INT64 NOT NULL) PRIMARY KEY (id)",
        "CREATE TABLE IF NOT EXISTS SeqCoord (id INT64 NOT NULL, next INT64 NOT NULL,) PRIMARY KEY (id)",
        "CREATE TABLE IF NOT EXISTS Seq (id INT64 NOT NULL, seq INT64 NOT NULL, v BYTES(MAX),) PRIMARY KEY (id, seq)",
        "CREATE TABLE IF NOT EXISTS IntCoord (id INT64 NOT NULL, seq INT64 NOT NULL, rootHash BYTES(32)) PRIMARY KEY (id)",
        "CREATE TABLE IF NOT EXISTS PubCoord (id INT64 NOT NULL, publishedAt TIMESTAMP NOT NULL, size INT64) PRIMARY KEY (id)",
        "CREATE TABLE IF NOT EXISTS GCCoord (id INT64 NOT NULL, fromSize INT64 NOT NULL) PRIMARY KEY (id)",
    ];

    /// <summary>Each its own schema change; ALREADY_EXISTS from one is no failure (§3.4 step 2).</summary>
    public static readonly string[] Migrations = ["ALTER TABLE PubCoord ADD COLUMN IF NOT EXISTS size INT64"];

    public static readonly string[] TesseraColumns = ["id", "compatibilityVersion"];
    public static readonly string[] SeqCoordColumns = ["id", "next"];
    public static readonly string[] SeqColumns = ["id", "seq", "v"];
    public static readonly string[] IntCoordColumns = ["id", "seq", "rootHash"];
    public static readonly string[] PubCoordColumns = ["id", "publishedAt", "size"];
    public static readonly string[] GcCoordColumns = ["id", "fromSize"];
}
