using RekorPosix.Log.Files;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Posix;

internal sealed partial class PosixStorage
{
    /// <summary>Sequencing a batch integrates it (tessera's POSIX driver does the same).</summary>
    public Task<long> SequenceAsync(IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancel)
    {
        try
        {
            return Task.FromResult(Integrate(entries));
        }
        catch (Exception e)
        {
            return Task.FromException<long>(e);
        }
    }

    /// <summary>Nothing is ever sequenced and not integrated: reports treeState, which may have
    /// grown by another process's batches.</summary>
    public Task<TreeHead> IntegrateAsync(CancellationToken cancel)
    {
        try
        {
            return Task.FromResult(_reader.ReadTreeState().Head);
        }
        catch (Exception e)
        {
            return Task.FromException<TreeHead>(e);
        }
    }

    /// <summary>
    /// Appends a batch at the end of the log and returns the index of its first entry. When this
    /// returns, every entry is durable: bundles and tiles are written first (each as temp file,
    /// fsync, rename, fsync of the directory) and <c>.state/treeState</c> last, which is the
    /// commit point. A crash before that leaves only orphans beyond treeState, which the next
    /// batch overwrites and no checkpoint ever refers to.
    /// </summary>
    public long Integrate(IReadOnlyList<ReadOnlyMemory<byte>> entries)
    {
        ArgumentOutOfRangeException.ThrowIfZero(entries.Count);
        _integration.Wait();
        try
        {
            using var fileLock = FileLock.Acquire(_paths.TreeStateLock);
            ThrowIfFrozen("refusing to add entries");
            // Re-read inside the lock: another process may have appended since our last batch.
            var state = _reader.ReadTreeState();
            if (_edge is null || _edge.Size != state.Size)
                _edge = ResumeEdge(state);
            var edge = _edge;
            _edge = null; // only restored once the commit succeeded
            var writes = BatchTiles.Build(edge, CommittedPartialBundle(state.Size), entries, _bundleSpace);
            // Bundles and tiles all durable first (in parallel), treeState after: the commit point.
            AtomicFiles.OverwriteAll(writes.ConvertAll(w => (_paths.Of(w.Address), w.Data)));
            AtomicFiles.Overwrite(_paths.TreeState, new TreeState(edge.Size, edge.Root()).Encode());
            _edge = edge;
            KeepPartialBundle(writes);
            return state.Size;
        }
        finally
        {
            _integration.Release();
        }
    }

    /// <summary>The right edge at treeState, its root checked (another process appended).</summary>
    private TileTreeBuilder ResumeEdge(TreeState state)
    {
        // The reader completes at once: this runs synchronously under the locks.
        var resumed = StoredTreeCheck.ResumeEdgeAsync(_reader, state.Head, CancellationToken.None);
        return resumed.IsCompleted ? resumed.GetAwaiter().GetResult() : throw new InvalidOperationException("the POSIX reader must complete synchronously");
    }

    /// <summary>
    /// The partial bundle at the committed size: the copy this process last wrote when it is that
    /// one (a partial's path names its width, so the file under that path never changes once
    /// committed), else read from disk (the first batch, or another process appended since).
    /// </summary>
    private ReadOnlyMemory<byte> CommittedPartialBundle(long size)
    {
        if (TileMath.PartialEntryBundle(size) is not { } address)
            return default;
        if (_lastPartialBundle is { } last && last.Address == address)
            return last.Data;
        return _reader.ReadEntryBundle(address);
    }

    /// <summary>Remembers the partial bundle a committed batch wrote, for the next batch.</summary>
    private void KeepPartialBundle(List<TileWrite> writes)
    {
        int last = writes.FindLastIndex(w => w.Address.IsEntries);
        _lastPartialBundle = last >= 0 && writes[last].Address.Width < TileMath.TileWidth ? writes[last] : null;
    }
}
