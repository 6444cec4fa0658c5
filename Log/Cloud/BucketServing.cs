using Microsoft.Extensions.Logging;
using RekorPosix.Http;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Search;

namespace RekorPosix.Log.Cloud;

/// <summary>The read side of the flavours whose log is in a bucket: the tile cache, the proof and
/// history routes, and read-only serving, the same for aws, gcpcloudsql and gcp.</summary>
internal static class BucketServing
{
    /// <summary>Tiles and bundles up to this size are kept once read: a full bundle of large
    /// entries is worth a round trip saved.</summary>
    public const int MaxCachedTileBytes = 1 << 20;

    /// <summary>
    /// The log over <paramref name="driver"/> with what <paramref name="front"/> puts before it
    /// (antispam, and the search index when there is one), served with the bucket's read routes.
    /// When any of it fails to start, what started is shut down again (but not
    /// <paramref name="connections"/>, which the caller still owns then); else the served log owns
    /// them and closes them last.
    /// </summary>
    public static async Task<ServedLog> StartAsync(ILogDriver driver, ILogReader reader, CheckpointMaker make, CheckpointSigner signer,
        ICheckpointHistory history, ServeSettings settings, ILoggerFactory loggers, Func<AppendLifecycle, Task<(DedupAppender Appender, SearchIndex? Search)>> front,
        IAsyncDisposable? connections = null)
    {
        AppendLifecycle? log = null;
        try
        {
            log = await AppendLifecycle.StartAsync(driver, make, signer.CheckSameLog, settings.Append, loggers.CreateLogger("RekorPosix.Log"))
                .ConfigureAwait(false);
            var (appender, search) = await front(log).ConfigureAwait(false);
            var running = log;
            Func<CancellationToken, ValueTask<PublishedCheckpoint?>> published = _ => new(running.LatestCheckpoint);
            var files = new StoredFiles(reader, published, TileCache(settings), loggers.CreateLogger("RekorPosix.Tiles"), history);
            return new ServedLog(log, appender, files, loggers.CreateLogger("RekorPosix"), Proofs(reader, published, history, loggers))
            {
                Search = search,
                PublishedSize = () => running.LatestCheckpoint?.Size ?? 0,
                Connections = connections,
            };
        }
        catch
        {
            if (log is not null)
                await log.DisposeAsync().ConfigureAwait(false);
            else
                await driver.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// As rekor-tiles, read-only makes no database connection and writes nothing; with a bucket
    /// given, both read ports serve what it holds (its checkpoint looked at once a second), so a
    /// replica of the read side needs only read access to the bucket. The served log owns
    /// <paramref name="connections"/> and closes them last.
    /// </summary>
    public static ServedLog ReadOnly(IBucket? bucket, ServeSettings settings, ILoggerFactory loggers, IAsyncDisposable? connections = null)
    {
        IPublishedReads? files = null;
        ServedProofs? proofs = null;
        if (bucket is not null)
        {
            var reader = new BucketReader(bucket, null);
            var checkpoint = new StoredCheckpoint(reader, TimeSpan.FromSeconds(1));
            var history = new BucketCheckpointHistory(bucket);
            files = new StoredFiles(reader, checkpoint.CurrentAsync, TileCache(settings), loggers.CreateLogger("RekorPosix.Tiles"), history);
            proofs = Proofs(reader, checkpoint.CurrentAsync, history, loggers);
        }
        return new ServedLog(null, null, files, loggers.CreateLogger("RekorPosix"), proofs) { Connections = connections };
    }

    /// <summary>The proof and history routes over the bucket: history is read whether this server
    /// keeps it or not, since another one sharing the bucket may.</summary>
    public static ServedProofs Proofs(ILogReader reader, Func<CancellationToken, ValueTask<PublishedCheckpoint?>> published,
        ICheckpointHistory history, ILoggerFactory loggers) =>
        new(new TreeProofs(reader, loggers.CreateLogger("RekorPosix.Proofs")), published, history);

    public static TileMemoryCache? TileCache(ServeSettings settings) =>
        settings.TilesCacheBytes > 0 ? new TileMemoryCache(settings.TilesCacheBytes, MaxCachedTileBytes) : null;
}
