using System.CommandLine;

namespace RekorPosix.Log;

/// <summary>Where a MySQL + S3 flavour keeps its log: the bucket and the database.</summary>
public sealed record StorageSettings
{
    public string Bucket { get; init; } = "";

    /// <summary>A go-sql-driver DSN, e.g. <c>rekor:pw@tcp(127.0.0.1:3306)/sequencer?parseTime=true</c>.</summary>
    public string MySqlDsn { get; init; } = "";

    /// <summary>Most open database connections; 0: the pool's default.</summary>
    public int MaxOpenConnections { get; init; }

    /// <summary>Connections the pool keeps open however idle (its minimum size; 0: the pool's
    /// default, which closes a connection idle for 180 s). See GoMySqlDsn.ToConnectionStringParts.</summary>
    public int MaxIdleConnections { get; init; }
}

/// <summary>The cloud flavours' own serve flags, named as in rekor-tiles' binaries: aws has
/// --aws-bucket and --aws-mysql-dsn, gcpcloudsql --gcp-bucket and --gcp-cloudsql-dsn.</summary>
internal sealed class StorageFlags
{
#if BACKEND_GCPCLOUDSQL
    private readonly Option<string> _bucket = new("--gcp-bucket") { Description = "GCS bucket for the tiles, bundles and checkpoint (through its S3-compatible XML API; GCS_HMAC_ACCESS_KEY_ID, GCS_HMAC_SECRET, GCS_REGION, GCS_ENDPOINT_URL)." };
    private readonly Option<string> _dsn = new("--gcp-cloudsql-dsn") { Description = "CloudSQL database URI, in go-sql-driver syntax: user:password@tcp(host:3306)/database." };
    private readonly Option<int> _maxOpen = new("--gcp-max-open-conns") { Description = "Most open database connections (0: the pool's default)." };
    private readonly Option<int> _maxIdle = new("--gcp-max-idle-conns") { Description = "Database connections kept open however idle (the pool's minimum size, at most --gcp-max-open-conns; 0: idle ones close after 3 minutes)." };
#else
    private readonly Option<string> _bucket = new("--aws-bucket") { Description = "S3 bucket for the tiles, bundles and checkpoint (credentials, region and endpoint from the standard AWS variables)." };
    private readonly Option<string> _dsn = new("--aws-mysql-dsn") { Description = "MySQL database, in go-sql-driver syntax: user:password@tcp(host:3306)/database." };
    private readonly Option<int> _maxOpen = new("--aws-max-open-conns") { Description = "Most open database connections (0: the pool's default)." };
    private readonly Option<int> _maxIdle = new("--aws-max-idle-conns") { Description = "Database connections kept open however idle (the pool's minimum size, at most --aws-max-open-conns; 0: idle ones close after 3 minutes)." };
#endif

    public IReadOnlyList<Option> Options => [_bucket, _dsn, _maxOpen, _maxIdle];

    public StorageSettings Read(ParseResult parse) => new()
    {
        Bucket = parse.GetValue(_bucket) ?? "",
        MySqlDsn = parse.GetValue(_dsn) ?? "",
        MaxOpenConnections = parse.GetValue(_maxOpen),
        MaxIdleConnections = parse.GetValue(_maxIdle),
    };

    public static string BucketFlag =>
#if BACKEND_GCPCLOUDSQL
        "--gcp-bucket";
#else
        "--aws-bucket";
#endif

    public static string DsnFlag =>
#if BACKEND_GCPCLOUDSQL
        "--gcp-cloudsql-dsn";
#else
        "--aws-mysql-dsn";
#endif
}
