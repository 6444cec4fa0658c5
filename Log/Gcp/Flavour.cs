using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using RekorPosix.Http;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Cloud;
using RekorPosix.Log.Gcp;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Log.Witnessing;

// The composition of the Spanner + GCS flavour, compiled only into rekor-server-gcp
// (RekorPosix.csproj picks the folder from -p:Backend).
namespace RekorPosix.Log;

/// <summary>The gcp flavour: tessera's GCP driver over a Spanner database and a GCS bucket,
/// several servers sharing both (spec gcp-spanner-flavour.md).</summary>
internal static class Flavour
{
    public const string Name = "gcp";
    public const string Description = "sequenced in Cloud Spanner, its tiles in a GCS bucket";

    /// <summary>The log's files are in a bucket: Kestrel serves the tile port, reading through the
    /// driver and keeping tiles in memory.</summary>
    public const bool FilesAreLocal = false;

    /// <summary>tessera v1.0.4's GCP minimum: GCS takes about one write per second to one object,
    /// and every publication overwrites the checkpoint (spec §2.2).</summary>
    public static readonly TimeSpan MinCheckpointInterval = TimeSpan.FromMilliseconds(1200);

    /// <summary>fsck of the bucket.</summary>
    public static IEnumerable<System.CommandLine.Command> Commands() => [new Gcp.FsckCommandLine().Command];

    public static string Describe(ServeSettings settings) =>
        $"the log in bucket '{settings.Storage.Bucket}' and Spanner database '{settings.Storage.Spanner}'";

    /// <summary>
    /// The log over the database and bucket, with antispam in front (its tables in the database
    /// &lt;D&gt;-antispam with --persistent-antispam, the default), or, read-only, the bucket alone
    /// with no Spanner connection made (as rekor-tiles). There is no Spanner search index, so
    /// --search-index is refused; witness sizes are kept in memory. Throws
    /// <see cref="ArgumentException"/> naming the flag or variable at fault, or an
    /// <see cref="IOException"/> naming the store that failed.
    /// </summary>
    public static async Task<ServedLog> OpenAsync(ServeSettings settings, CheckpointSigner signer, CheckpointWitnesses? witnesses, ILoggerFactory loggers)
    {
        if (settings.SearchIndex)
            throw new ArgumentException("--search-index: the gcp flavour has no search index (it is kept in SQLite by posix and in MySQL by aws and gcpcloudsql; none is written for Spanner)");
        try
        {
            return settings.ReadOnly
                ? await ReadOnlyAsync(settings, loggers).ConfigureAwait(false)
                : await OpenLogAsync(settings, signer, witnesses, loggers).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            throw new IOException($"the bucket ({StorageFlags.BucketFlag} and the GCS_* variables): {e.Message}", e);
        }
    }

    private static async Task<ServedLog> OpenLogAsync(ServeSettings settings, CheckpointSigner signer, CheckpointWitnesses? witnesses, ILoggerFactory loggers)
    {
        if (settings.Append.CheckpointInterval < MinCheckpointInterval)
            throw new ArgumentException(
                $"--checkpoint-interval: requested CheckpointInterval ({GoDuration.Format(settings.Append.CheckpointInterval)}) is less than minimum permitted {GoDuration.Format(MinCheckpointInterval)}");
        var storage = settings.Storage;
        if (storage.Bucket.Length == 0 || storage.Spanner.Length == 0)
            throw new ArgumentException($"required flags missing to initialize Tessera driver: {StorageFlags.BucketFlag} and {StorageFlags.SpannerFlag} are both required");
        var database = DatabaseName(storage.Spanner, "");
        var antispamDatabase = settings.PersistentAntispam ? DatabaseName(storage.Spanner, SpannerDedupIndex.DatabaseSuffix) : null;
        var google = Connections(loggers);
        try
        {
            var bucket = await google.BucketAsync(storage.Bucket).ConfigureAwait(false);
            var admin = new SpannerDatabaseAdmin(await google.SpannerAsync().ConfigureAwait(false));
            var makerTime = witnesses is null ? TimeSpan.Zero : settings.Witnessing.Timeout;
            var history = new BucketCheckpointHistory(bucket);
            var client = await google.SpannerClientAsync(database).ConfigureAwait(false);
            var driver = new GcpStorage(new SpannerCoordinator(client, admin), bucket,
                settings.Append.MaxQueuedEntries, makerTime, settings.CheckpointHistory ? history : null);
            if (witnesses is not null)
                await WitnessSizesTable.CreateAsync(admin, database, CancellationToken.None).ConfigureAwait(false);
            var make = witnesses?.Around(signer.Maker(), driver.Reader, new WitnessSizesTable(client, loggers.CreateLogger("RekorPosix.Witness"))) ?? signer.Maker();
            var antispam = settings.AntispamMaxBatchSize == 0 ? settings.Antispam with { MaxBatchSize = SpannerDedupIndex.DefaultMaxBatchSize } : settings.Antispam;
            var antispamClient = antispamDatabase is null ? null : await google.SpannerClientAsync(antispamDatabase).ConfigureAwait(false);
            Func<ILogger, IDedupIndex> openIndex = logger => SpannerDedupIndex.In(antispamClient!, admin)(logger);
            return await BucketServing.StartAsync(driver, driver.Reader, make, signer, history, settings, loggers, async log =>
                (await DedupAppender.OpenAsync(openIndex, log, antispam, loggers.CreateLogger("RekorPosix.Antispam")).ConfigureAwait(false), null), google).ConfigureAwait(false);
        }
        catch
        {
            await google.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>As rekor-tiles, read-only makes no Spanner connection and writes nothing: the
    /// bucket alone (<see cref="BucketServing.ReadOnly"/>).</summary>
    private static async Task<ServedLog> ReadOnlyAsync(ServeSettings settings, ILoggerFactory loggers)
    {
        var google = Connections(loggers);
        try
        {
            var bucket = settings.Storage.Bucket.Length > 0 ? await google.BucketAsync(settings.Storage.Bucket).ConfigureAwait(false) : null;
            return BucketServing.ReadOnly(bucket, settings, loggers, google);
        }
        catch
        {
            await google.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The connections the served log owns and closes last (<see cref="ServedLog.DisposeAsync(TimeSpan)"/>).</summary>
    private static GoogleConnections Connections(ILoggerFactory loggers) => new(loggers.CreateLogger("RekorPosix.Google"));

    /// <summary>--gcp-spanner's database, or the one beside it whose ID ends in <paramref name="suffix"/>.</summary>
    internal static SpannerDatabaseName DatabaseName(string flag, string suffix)
    {
        try
        {
            var name = SpannerDatabaseName.Parse(flag);
            return suffix.Length == 0 ? name : name.WithDatabase(name.Database + suffix);
        }
        catch (FormatException e)
        {
            throw new ArgumentException(suffix.Length == 0
                ? $"{StorageFlags.SpannerFlag}: {e.Message}"
                : $"{StorageFlags.SpannerFlag}: the antispam database ({suffix} appended, --persistent-antispam): {e.Message}", e);
        }
    }
}
