using Microsoft.Extensions.Logging;
using RekorPosix.Http;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Witnessing;
using RekorPosix.Log.Posix;
using RekorPosix.Log.Search;

// The composition of this binary's flavour lives beside its driver and is compiled only with it
// (RekorPosix.csproj picks the folder from -p:Backend): the rest of the program calls Flavour and
// never names a driver.
namespace RekorPosix.Log;

/// <summary>The posix flavour: a log directory, its dedup index in <c>.state/</c>, and its files
/// served straight from disk.</summary>
internal static class Flavour
{
    public const string Name = "posix";

    public const string Description = "kept as C2SP tlog-tiles files in a POSIX directory";

    /// <summary>The log's files are on this machine: the tile port is the sendfile listener.</summary>
    public const bool FilesAreLocal = true;

    /// <summary>The lifecycle's own floor: a directory takes a checkpoint as often as that.</summary>
    public static readonly TimeSpan MinCheckpointInterval = AppendOptions.MinCheckpointInterval;

    /// <summary>The commands only this flavour has: offline work on a log directory.</summary>
    public static IEnumerable<System.CommandLine.Command> Commands() =>
        [new AddCommand().Command, new FsckCommandLine().Command, new FreezeCommandLine().Command, new SearchCommandLine().Command];

    /// <summary>Where serve keeps the log when --storage-dir is not given.</summary>
    public static string StorageDir(ServeSettings settings) =>
        settings.Storage.StorageDir ?? Path.Combine(ServeSettings.DefaultDataDir(), "log");

    /// <summary>Where the log is, for messages.</summary>
    public static string Describe(ServeSettings settings) => $"the log in {StorageDir(settings)}";

    /// <summary>The storage driver over a log directory (nothing is opened or checked yet).</summary>
    /// <param name="keepHistory">--checkpoint-history: keep every published checkpoint.</param>
    public static ILogDriver Driver(string storageDir, bool keepHistory = false) => new PosixStorage(storageDir, keepHistory);

    /// <summary>Whether the directory keeps checkpoint history (a server with --checkpoint-history
    /// kept some): the offline commands that publish (add, freeze) keep theirs there too.</summary>
    public static bool KeepsHistory(string storageDir) =>
        Directory.Exists(Path.Combine(storageDir, Tiles.CheckpointHistoryPath.Prefix));

    /// <summary>Starts the append lifecycle over the directory (created if need be).</summary>
    /// <param name="witnesses">Who cosigns each checkpoint (their sizes kept in .state/), or null.</param>
    /// <param name="keepHistory">--checkpoint-history: keep every published checkpoint.</param>
    public static async Task<AppendLifecycle> StartLogAsync(string storageDir, CheckpointSigner signer, AppendOptions options,
        ILogger logger, TimeProvider? clock = null, CheckpointWitnesses? witnesses = null, bool keepHistory = false)
    {
        var driver = Driver(storageDir, keepHistory);
        try
        {
            var make = witnesses?.Around(signer.Maker(), driver.Reader, new WitnessSizesFile(storageDir)) ?? signer.Maker();
            return await AppendLifecycle.StartAsync(driver, make, signer.CheckSameLog, options, logger, clock).ConfigureAwait(false);
        }
        catch
        {
            await driver.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The dedup index of a log directory: SQLite in .state/antispam.db.</summary>
    public static Func<ILogger, IDedupIndex> DedupIndex(string storageDir) =>
        PersistentDedupIndex.At(Path.Combine(storageDir, ".state", Posix.Sqlite.SqliteIndexFile.Antispam.FileName));

    /// <summary>The search index of a log directory: SQLite in .state/search.db.</summary>
    public static string SearchIndexPath(string storageDir) => Path.Combine(storageDir, ".state", Posix.Sqlite.SqliteIndexFile.Search.FileName);

    /// <summary>
    /// Everything serve needs: unless read-only, the log and its antispam; the search index with
    /// --search-index (read-only: an existing one is served as it is, without a follower, since a
    /// frozen log does not grow; the <c>search</c> command brings it up to date); and the published files,
    /// whose checkpoint comes from the log in memory, or from the checkpoint file when this process
    /// does not write. Throws <see cref="LogStateException"/>, <see cref="LogFrozenException"/>,
    /// <see cref="IOException"/> or <see cref="ArgumentException"/>, having released what it opened.
    /// </summary>
    public static async Task<ServedLog> OpenAsync(ServeSettings settings, CheckpointSigner signer, CheckpointWitnesses? witnesses, ILoggerFactory loggers)
    {
        string dir = StorageDir(settings);
        AppendLifecycle? log = null;
        DedupAppender? appender = null;
        SearchIndex? search = null;
        try
        {
            Func<PublishedCheckpoint?> published;
            ILogReader reader;
            if (settings.ReadOnly)
            {
                published = new CheckpointFile(Path.Combine(dir, "checkpoint"), TimeSpan.FromSeconds(1)).Current;
                reader = new PosixReader(new StatePaths(dir));
                if (settings.SearchIndex)
                    search = ExistingSearchIndex(dir, loggers.CreateLogger("RekorPosix.Search"));
            }
            else
            {
                log = await StartLogAsync(dir, signer, settings.Append, loggers.CreateLogger("RekorPosix.Log"), witnesses: witnesses,
                    keepHistory: settings.CheckpointHistory).ConfigureAwait(false);
                appender = await DedupAppender.OpenAsync(DedupIndex(dir), log, settings.Antispam, loggers.CreateLogger("RekorPosix.Antispam")).ConfigureAwait(false);
                if (settings.SearchIndex)
                    search = await SearchIndex.FollowAsync(l => PersistentSearchIndex.Open(SearchIndexPath(dir), l), log, loggers.CreateLogger("RekorPosix.Search")).ConfigureAwait(false);
                var running = log;
                published = () => running.LatestCheckpoint;
                reader = log.Reader;
            }
            var cache = settings.TilesCacheBytes > 0 ? new TileMemoryCache(settings.TilesCacheBytes) : null;
            var files = new PublishedFiles(dir, published, loggers.CreateLogger("RekorPosix.Tiles"), cache);
            // History is read whether this process keeps it or not: an earlier run may have.
            var proofs = new ServedProofs(new TreeProofs(reader, loggers.CreateLogger("RekorPosix.Proofs")), _ => new(published()),
                new CheckpointHistoryFiles(dir));
            return new ServedLog(log, appender, files, loggers.CreateLogger("RekorPosix"), proofs) { Search = search, PublishedSize = () => published()?.Size ?? 0 };
        }
        catch
        {
            if (search is not null)
                await search.DisposeAsync().ConfigureAwait(false);
            if (appender is not null)
                await appender.DisposeAsync().ConfigureAwait(false);
            if (log is not null)
                await log.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static SearchIndex? ExistingSearchIndex(string dir, ILogger logger)
    {
        try
        {
            return SearchIndex.ReadOnly(PersistentSearchIndex.OpenExisting(SearchIndexPath(dir), logger));
        }
        catch (SearchIndexUnavailableException e)
        {
            SearchEvents.Unavailable(logger, e);
            return null;
        }
    }
}
