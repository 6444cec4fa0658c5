using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using RekorPosix.Http;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Witnessing;
using RekorPosix.Log.Aws;
using RekorPosix.Log.Cloud;
using RekorPosix.Log.S3;
using RekorPosix.Log.Search;

// The composition of the MySQL + S3 flavours, compiled only into rekor-server-aws and
// rekor-server-gcpcloudsql (RekorPosix.csproj picks the folder from -p:Backend).
namespace RekorPosix.Log;

/// <summary>The aws and gcpcloudsql flavours: tessera's AWS driver over a MySQL database and an
/// S3-API bucket, several servers sharing both.</summary>
internal static class Flavour
{
#if BACKEND_GCPCLOUDSQL
    public const string Name = "gcpcloudsql";
    public const string Description = "sequenced in CloudSQL (MySQL), its tiles in a GCS bucket";
#else
    public const string Name = "aws";
    public const string Description = "sequenced in MySQL, its tiles in an S3 bucket";
#endif

    /// <summary>The log's files are in a bucket: Kestrel serves the tile port, reading through the
    /// driver and keeping tiles in memory.</summary>
    public const bool FilesAreLocal = false;

    /// <summary>tessera's AWS driver refuses a shorter checkpoint interval: every publication is a
    /// database transaction and a bucket write shared by all servers.</summary>
    public static readonly TimeSpan MinCheckpointInterval = TimeSpan.FromSeconds(1);

    /// <summary>fsck of the bucket (add and freeze work on a log directory, posix's).</summary>
    public static IEnumerable<System.CommandLine.Command> Commands() => [new FsckCommandLine().Command];

    /// <summary>Where the log is, for messages (never the DSN: it holds the password).</summary>
    public static string Describe(ServeSettings settings) =>
        $"the log in bucket '{settings.Storage.Bucket}' and database {DatabaseName(settings.Storage.MySqlDsn)}";

    /// <summary>
    /// The log over the database and bucket, with antispam in front (its tables in the same
    /// database with --persistent-antispam, the default) and the search index with --search-index
    /// (its tables in the database too), or nothing at all when read-only (as rekor-tiles: no
    /// connection is made, so the search route answers 404). Throws <see cref="ArgumentException"/>
    /// naming the flag or variable at fault, or the storage's own failures.
    /// </summary>
    public static async Task<ServedLog> OpenAsync(ServeSettings settings, CheckpointSigner signer, CheckpointWitnesses? witnesses, ILoggerFactory loggers)
    {
        if (settings.ReadOnly)
            return ReadOnly(settings, loggers);
        try
        {
            return await OpenLogAsync(settings, signer, witnesses, loggers).ConfigureAwait(false);
        }
        catch (MySqlException e)
        {
            throw new IOException($"the database ({StorageFlags.DsnFlag}): {e.Message}", e);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            throw new IOException($"the bucket ({StorageFlags.BucketFlag} and the {BucketVariables} variables): {e.Message}", e);
        }
    }

    /// <summary>Where the S3 client's settings come from, for messages.</summary>
#if BACKEND_GCPCLOUDSQL
    private const string BucketVariables = "GCS_*";
#else
    private const string BucketVariables = "AWS_*";
#endif

    private static async Task<ServedLog> OpenLogAsync(ServeSettings settings, CheckpointSigner signer, CheckpointWitnesses? witnesses, ILoggerFactory loggers)
    {
        if (settings.Append.CheckpointInterval < MinCheckpointInterval)
            throw new ArgumentException(
                $"--checkpoint-interval: requested {Http.GoDuration.Format(settings.Append.CheckpointInterval)} is less than the minimum permitted {Http.GoDuration.Format(MinCheckpointInterval)} for this flavour (tessera's AWS driver)");
        var storage = settings.Storage;
        if (storage.Bucket.Length == 0)
            throw new ArgumentException($"{StorageFlags.BucketFlag} is required");
        if (storage.MySqlDsn.Length == 0)
            throw new ArgumentException($"{StorageFlags.DsnFlag} is required");
        var database = new MySqlDataSource(ConnectionString(storage));
        // The checkpoint is made, witnesses included, inside the publication's time budget.
        var makerTime = witnesses is null ? TimeSpan.Zero : settings.Witnessing.Timeout;
        var bucket = new Bucket(S3Client(), storage.Bucket);
        var history = new BucketCheckpointHistory(bucket);
        var driver = new AwsStorage(new Coordinator(database), bucket, settings.Append.MaxQueuedEntries, makerTime,
            settings.CheckpointHistory ? history : null);
        var make = witnesses?.Around(signer.Maker(), driver.Reader, new WitnessSizesTable(database)) ?? signer.Maker();
        // tessera's batch for this backend when the flag leaves it at 0.
        var antispam = settings.AntispamMaxBatchSize == 0 ? settings.Antispam with { MaxBatchSize = MySqlDedupIndex.DefaultMaxBatchSize } : settings.Antispam;
        return await BucketServing.StartAsync(driver, driver.Reader, make, signer, history, settings, loggers, async log =>
        {
            var appender = await DedupAppender.OpenAsync(MySqlDedupIndex.In(database), log, antispam, loggers.CreateLogger("RekorPosix.Antispam"))
                .ConfigureAwait(false);
            var search = settings.SearchIndex
                ? await SearchIndex.FollowAsync(MySqlSearchIndex.In(database), log, loggers.CreateLogger("RekorPosix.Search"), MySqlSearchIndex.MaxBatchSize).ConfigureAwait(false)
                : null;
            return (appender, search);
        }).ConfigureAwait(false);
    }

    /// <summary>The bucket alone, no database connection (<see cref="BucketServing.ReadOnly"/>).</summary>
    private static ServedLog ReadOnly(ServeSettings settings, ILoggerFactory loggers) =>
        BucketServing.ReadOnly(settings.Storage.Bucket.Length > 0 ? new Bucket(S3Client(), settings.Storage.Bucket) : null, settings, loggers);

    internal static string ConnectionString(StorageSettings storage)
    {
        GoMySqlDsn dsn;
        try
        {
            dsn = GoMySqlDsn.Parse(storage.MySqlDsn);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{StorageFlags.DsnFlag}: {e.Message}", e);
        }
        var builder = new MySqlConnectionStringBuilder();
        foreach (var (key, value) in dsn.ToConnectionStringParts(storage.MaxOpenConnections, storage.MaxIdleConnections))
            builder[key] = value;
        return builder.ConnectionString;
    }

    private static string DatabaseName(string dsn)
    {
        try
        {
            return $"'{GoMySqlDsn.Parse(dsn).Database}'";
        }
        catch (FormatException)
        {
            return "(unreadable DSN)";
        }
    }

    /// <summary>aws takes the standard AWS chain; gcpcloudsql the GCS_* HMAC variables.</summary>
    internal static AmazonS3Client S3Client() =>
#if BACKEND_GCPCLOUDSQL
        S3Clients.GcsHmac();
#else
        S3Clients.Aws();
#endif
}
