using System.Text;
using RekorPosix.Interop;
using RekorPosix.Signing;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Posix;

/// <summary>
/// The POSIX storage driver: a log kept as C2SP tlog-tiles files in one directory, laid out as
/// tessera's POSIX driver lays it out. This file holds opening and reading; integration,
/// publication and garbage collection are in the other parts of this partial class.
/// All methods are synchronous and may block on flock or fsync: call them from a worker.
/// </summary>
internal sealed partial class PosixStorage : ILogReader
{
    private readonly StatePaths _paths;
    // In-process serialisation on top of flock (tessera's "double locking").
    private readonly Lock _integrationMutex = new();
    // The right edge as of the last successful commit by this process; dropped on any failure
    // and re-read whenever treeState moved under us (another process appended).
    private TileTreeBuilder? _edge;
    private TileWrite? _lastPartialBundle;

    public PosixStorage(string root)
    {
        _paths = new StatePaths(root);
    }

    public StatePaths Paths => _paths;

    /// <summary>
    /// Prepares the directory and checks it before anything is written: creates <c>.state/</c>
    /// and a new empty tree on a fresh directory, refuses a directory that has log data but no
    /// treeState, checks the version, recomputes the root from the right-edge tiles and compares
    /// it with treeState, checks that the published checkpoint is not ahead of treeState, and
    /// sweeps temp files left by a crash. Reads O(levels) files, never O(size).
    /// </summary>
    public TreeState Open()
    {
        AtomicFiles.MkdirAll(_paths.StateDir);
        lock (_integrationMutex)
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
            var state = ReadTreeState();
            _edge = ResumeEdge(state);
            CheckEntryBundleEdge(state.Size);
            CheckPublishedCheckpoint(state);
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
            return state;
        }
    }

    public TreeState ReadTreeState()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(_paths.TreeState);
        }
        catch (FileNotFoundException e)
        {
            throw new LogStateException($"{_paths.TreeState} is missing", e);
        }
        try
        {
            return TreeState.Decode(bytes);
        }
        catch (FormatException e)
        {
            throw new LogStateException($"{_paths.TreeState}: {e.Message}", e);
        }
    }

    public long IntegratedSize => ReadTreeState().Size;

    public byte[]? ReadCheckpoint()
    {
        try
        {
            return File.ReadAllBytes(_paths.Checkpoint);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Reads a hash tile at exactly the width asked for; a partial that is gone (garbage
    /// collected, or never written because a later batch filled the tile) is read from the full
    /// tile and trimmed. Throws <see cref="FileNotFoundException"/> when neither exists.</summary>
    public ReadOnlyMemory<byte> ReadTile(TileAddress address)
    {
        byte[] data = ReadWithFullFallback(address);
        try
        {
            return HashTile.Trim(data, address.Width);
        }
        catch (FormatException e)
        {
            throw new LogStateException($"{address.ToPath()}: {e.Message}", e);
        }
    }

    /// <summary>Reads an entry bundle holding exactly <c>address.Width</c> entries (same fallback as tiles).</summary>
    public ReadOnlyMemory<byte> ReadEntryBundle(TileAddress address)
    {
        byte[] data = ReadWithFullFallback(address);
        try
        {
            return EntryBundle.Trim(data, address.Width);
        }
        catch (FormatException e)
        {
            throw new LogStateException($"{address.ToPath()}: {e.Message}", e);
        }
    }

    private byte[] ReadWithFullFallback(TileAddress address)
    {
        try
        {
            return File.ReadAllBytes(_paths.Of(address));
        }
        catch (Exception e) when (!address.IsFull && e is FileNotFoundException or DirectoryNotFoundException)
        {
            try
            {
                return File.ReadAllBytes(_paths.Of(address with { Width = TileMath.TileWidth }));
            }
            catch (Exception e2) when (e2 is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new FileNotFoundException($"{address.ToPath()} is missing (and so is its full tile)", e2);
            }
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"{address.ToPath()} is missing", e);
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

    private TileTreeBuilder ResumeEdge(TreeState state)
    {
        TileTreeBuilder edge;
        try
        {
            edge = TileTreeBuilder.Resume(state.Size, ReadTile);
        }
        catch (Exception e) when (e is FileNotFoundException or FormatException)
        {
            throw new LogStateException($"cannot read the right edge of the tree at size {state.Size}: {e.Message}", e);
        }
        byte[] root = edge.Root();
        if (!root.AsSpan().SequenceEqual(state.Root))
        {
            string tiles = string.Join(", ", TileMath.RightEdge(state.Size).Select(a => a.ToPath()));
            throw new LogStateException(
                $"the root recomputed from the right-edge tiles ({(tiles.Length == 0 ? "none" : tiles)}) is " +
                $"{Convert.ToBase64String(root)}, but .state/treeState says {Convert.ToBase64String(state.Root)} at size {state.Size}");
        }
        return edge;
    }

    /// <summary>The partial entry bundle must hold exactly the entries whose hashes the level-0
    /// partial tile holds: cheap, and catches a bundle lost or damaged at the right edge.</summary>
    private void CheckEntryBundleEdge(long size)
    {
        int width = (int)(size % TileMath.TileWidth);
        if (width == 0)
            return;
        var address = new TileAddress(0, size / TileMath.TileWidth, width, IsEntries: true);
        ReadOnlyMemory<byte> bundle;
        try
        {
            bundle = ReadEntryBundle(address);
        }
        catch (FileNotFoundException e)
        {
            throw new LogStateException(e.Message, e);
        }
        var tile = ReadTile(address with { IsEntries = false }).Span;
        int i = 0;
        foreach (var entry in EntryBundle.Parse(bundle))
        {
            if (!Rfc6962.LeafHash(entry.Span).AsSpan().SequenceEqual(HashTile.HashAt(tile, i)))
                throw new LogStateException($"{address.ToPath()}: entry {i} does not hash to the level-0 tile");
            i++;
        }
    }

    private void CheckPublishedCheckpoint(TreeState state)
    {
        byte[]? note = ReadCheckpoint();
        if (note is null)
            return;
        var published = ParseCheckpoint(note);
        if (published.Size > state.Size)
            throw new LogStateException(
                $"checkpoint is at size {published.Size} but .state/treeState only at {state.Size}: the published log is ahead of the durable one");
        byte[] root = published.Size == state.Size
            ? state.Root
            : new ProofBuilder(published.Size, ReadTile).Root();
        if (!root.AsSpan().SequenceEqual(published.RootHash))
            throw new LogStateException(
                $"checkpoint (size {published.Size}) has root {Convert.ToBase64String(published.RootHash)}, but the tiles give {Convert.ToBase64String(root)}");
    }

    /// <summary>Parses the body of a stored checkpoint note without checking signatures.</summary>
    internal Checkpoint ParseCheckpoint(byte[] note)
    {
        try
        {
            return Checkpoint.Parse(SignedNote.Parse(Encoding.UTF8.GetString(note)).Text);
        }
        catch (FormatException e)
        {
            throw new LogStateException($"{_paths.Checkpoint}: {e.Message}", e);
        }
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
        var dirs = new HashSet<string> { _paths.Root, _paths.StateDir };
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
