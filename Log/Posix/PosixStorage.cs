using System.Text;
using RekorPosix.Interop;
using RekorPosix.Log.Files;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Posix;

/// <summary>
/// The POSIX storage driver: a log kept as C2SP tlog-tiles files in one directory, laid out as
/// tessera's POSIX driver lays it out. Sequencing is integration here: a batch is durable once its
/// bundles, tiles and <c>.state/treeState</c> are. This file holds opening; sequencing,
/// publication, garbage collection and freezing are in the other parts of this partial class.
/// Methods may block on flock or fsync: the lifecycle calls them from its workers.
/// </summary>
internal sealed partial class PosixStorage : ILogDriver
{
    private readonly StatePaths _paths;
    private readonly PosixReader _reader;
    // In-process serialisation on top of flock (tessera's "double locking"); a semaphore, since
    // opening and freezing hold it across awaits.
    private readonly SemaphoreSlim _integration = new(1, 1);
    // The right edge as of the last successful commit by this process; dropped on any failure
    // and re-read whenever treeState moved under us (another process appended).
    private TileTreeBuilder? _edge;
    // The last committed partial bundle lives in _bundleSpace, which never hands out its memory
    // for the next batch: that batch copies it as its prefix.
    private TileWrite? _lastPartialBundle;
    private readonly BundleSpace _bundleSpace = new();

    // Where each published checkpoint is kept before it becomes the checkpoint; null: not kept.
    private readonly CheckpointHistoryFiles? _history;

    /// <param name="keepHistory">Keep every published checkpoint under <c>checkpoints/</c>
    /// (<c>--checkpoint-history</c>).</param>
    public PosixStorage(string root, bool keepHistory = false)
    {
        _paths = new StatePaths(root);
        _reader = new PosixReader(_paths);
        _history = keepHistory ? new CheckpointHistoryFiles(_paths.Root) : null;
    }

    public StatePaths Paths => _paths;

    public ILogReader Reader => _reader;

    /// <summary>The synchronous reads, for tests and the driver's own work.</summary>
    internal PosixReader Files => _reader;

    public ValueTask DisposeAsync()
    {
        _integration.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Prepares the directory and checks it before anything is written: creates <c>.state/</c>
    /// and a new empty tree on a fresh directory, refuses a directory that has log data but no
    /// treeState, checks the version and the stored tree (<see cref="StoredTreeCheck"/>), refuses a
    /// frozen log, and sweeps temp files left by a crash.
    /// </summary>
    public async Task<TreeHead> OpenAsync(CancellationToken cancel)
    {
        AtomicFiles.MkdirAll(_paths.StateDir);
        await _integration.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            using var fileLock = FileLock.Acquire(_paths.TreeStateLock);
            EnsureVersion();
            if (!File.Exists(_paths.TreeState))
            {
                if (File.Exists(_paths.Checkpoint) || Directory.Exists(_paths.TileDir))
                    throw new LogStateException(
                        $"{_paths.Root} holds a checkpoint or tiles but no .state/treeState: refusing to start a new tree over an existing log");
                AtomicFiles.Overwrite(_paths.TreeState, new TreeState(0, Rfc6962.EmptyRoot).Encode());
            }
            var state = _reader.ReadTreeState();
            _edge = await CheckStoredTreeAsync(state, cancel).ConfigureAwait(false);
            ThrowIfFrozen("it takes no more entries");
            // A publisher or garbage collector in another process may be writing its temp file
            // in the root or .state right now: sweep under their locks, so only leftovers go.
            HashSet<string> dirs;
            using (FileLock.Acquire(_paths.PublishLock))
            using (FileLock.Acquire(_paths.GcStateLock))
                dirs = SweepRightEdge(state.Size);
            // A process killed between a mkdir and the fsync of its parent leaves a directory whose
            // entry may not survive a power cut, and MkdirAll fsyncs no parent of a directory that
            // is there: make the entries of every directory a batch may have made durable now.
            AtomicFiles.SyncEntries(_paths.Root, dirs);
            return state.Head;
        }
        finally
        {
            _integration.Release();
        }
    }

    /// <summary>The stored tree checked against treeState; the message says which file holds the head.</summary>
    private async Task<TileTreeBuilder> CheckStoredTreeAsync(TreeState state, CancellationToken cancel)
    {
        try
        {
            return await StoredTreeCheck.CheckAsync(_reader, state.Head, cancel).ConfigureAwait(false);
        }
        catch (LogStateException e)
        {
            throw new LogStateException($"{_paths.Root}: {e.Message} (the integrated tree head is .state/treeState)", e);
        }
    }

    private void EnsureVersion()
    {
        if (!File.Exists(_paths.Version))
        {
            try
            {
                AtomicFiles.CreateExclusive(_paths.Version, Encoding.ASCII.GetBytes(StatePaths.CompatibilityVersion));
            }
            catch (IOException e) when (e.HResult == Errno.EEXIST)
            {
                // Another process created it first; fall through and check what it wrote.
            }
        }
        string version = File.ReadAllText(_paths.Version).Trim();
        if (version != StatePaths.CompatibilityVersion)
            throw new LogStateException(
                $"{_paths.Version} says storage version '{version}', this build only understands '{StatePaths.CompatibilityVersion}'");
    }

    /// <summary>A frozen log takes no more entries and no newer checkpoint; checked under the
    /// lock of the operation about to write, so it cannot race with a freeze.</summary>
    private void ThrowIfFrozen(string refused)
    {
        if (_reader.ReadCheckpoint() is not { } note)
            return;
        var published = PublishedCheckpoint.FromNote(note);
        if (FrozenCheckpoint.FrozenLine(published.Body()) is { } line)
            throw new LogFrozenException(
                $"{_paths.Root} is frozen at size {published.Size} (\"{line}\"): {refused}; serve it with --read-only", published);
    }

    /// <summary>
    /// Cleans up what a crashed batch may have left at the right edge: temp files (only where a
    /// batch writes: the state directory, the log root, and the directories of the right-edge tiles
    /// and of the tiles just after them), and orphan partials. An orphan partial is wider than the
    /// committed width of its tile (or belongs to a tile beyond the edge): no checkpoint ever
    /// implied it, its bytes are not the log's, and a later checkpoint that covers a wider width
    /// would otherwise leave it on disk where a reader could fetch it. Runs under the locks.
    /// Returns the directories it looked at: only there can a crash leave a new directory.
    /// </summary>
    private HashSet<string> SweepRightEdge(long size)
    {
        // The history note of the size is the one a publication killed mid-write was keeping.
        string historyDir = Path.GetDirectoryName(Path.Combine(_paths.Root, CheckpointHistoryPath.For(size)))!;
        var dirs = new HashSet<string> { _paths.Root, _paths.StateDir, historyDir };
        for (int level = 0; level <= TileMath.LevelCount(size); level++)
        {
            long index = (size >> (TileMath.TileHeight * level)) / TileMath.TileWidth;
            foreach (long i in new[] { index, index + 1 })
            {
                foreach (bool entries in level == 0 ? new[] { false, true } : new[] { false })
                {
                    string full = _paths.Of(new TileAddress(level, i, TileMath.TileWidth, entries));
                    dirs.Add(Path.GetDirectoryName(full)!);
                    dirs.Add(full + ".p");
                    int committed = entries ? TileMath.EntryBundleWidth(i, size) : TileMath.WidthAt(level, i, size);
                    DeleteOrphanPartials(full + ".p", committed);
                }
            }
        }
        foreach (string dir in dirs)
            AtomicFiles.SweepTemps(dir);
        return dirs;
    }

    /// <summary>Deletes the partials in a <c>N.p/</c> directory wider than the committed width
    /// (0: the tile has no committed hashes at all, so every partial there is an orphan).</summary>
    private static void DeleteOrphanPartials(string partialDir, int committedWidth)
    {
        if (!Directory.Exists(partialDir) || committedWidth == TileMath.TileWidth)
            return;
        foreach (string file in Directory.EnumerateFiles(partialDir))
        {
            if (int.TryParse(Path.GetFileName(file), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out int width) && width > committedWidth)
                File.Delete(file);
        }
    }
}
