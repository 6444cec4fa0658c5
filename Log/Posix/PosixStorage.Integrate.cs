using System.Buffers;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Posix;

internal sealed partial class PosixStorage
{
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
        lock (_integrationMutex)
        {
            using var fileLock = FileLock.Acquire(_paths.TreeStateLock);
            ThrowIfFrozen("refusing to add entries");
            // Re-read inside the lock: another process may have appended since our last batch.
            var state = ReadTreeState();
            if (_edge is null || _edge.Size != state.Size)
                _edge = ResumeEdge(state);
            var edge = _edge;
            _edge = null; // only restored once the commit succeeded
            var writes = BuildBundles(state.Size, entries, out byte[] leafHashes);
            foreach (var tile in edge.Append(leafHashes))
                writes.Add(tile);
            foreach (var write in writes)
                GuardUncommitted(write.Address, state.Size);
            // Bundles and tiles all durable first (in parallel), treeState after: the commit point.
            AtomicFiles.OverwriteAll(writes.ConvertAll(w => (_paths.Of(w.Address), w.Data)));
            AtomicFiles.Overwrite(_paths.TreeState, new TreeState(edge.Size, edge.Root()).Encode());
            _edge = edge;
            return state.Size;
        }
    }

    /// <summary>Entry bundles for the batch: the committed partial bundle (if any) as prefix,
    /// then the new entries, cut into full bundles and a trailing partial.</summary>
    private List<TileWrite> BuildBundles(long size, IReadOnlyList<ReadOnlyMemory<byte>> entries, out byte[] leafHashes)
    {
        var writes = new List<TileWrite>();
        leafHashes = new byte[entries.Count * Rfc6962.HashSize];
        long bundleIndex = size / TileMath.TileWidth;
        int inBundle = (int)(size % TileMath.TileWidth);
        var buffer = new ArrayBufferWriter<byte>();
        if (inBundle > 0)
            buffer.Write(ReadEntryBundle(new TileAddress(0, bundleIndex, inBundle, IsEntries: true)).Span);
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i].Span;
            EntryBundle.Append(buffer, entry);
            Rfc6962.LeafHash(entry, leafHashes.AsSpan(i * Rfc6962.HashSize, Rfc6962.HashSize));
            if (++inBundle == TileMath.TileWidth)
            {
                writes.Add(new TileWrite(new TileAddress(0, bundleIndex, inBundle, IsEntries: true), buffer.WrittenSpan.ToArray()));
                buffer.ResetWrittenCount();
                bundleIndex++;
                inBundle = 0;
            }
        }
        if (inBundle > 0)
            writes.Add(new TileWrite(new TileAddress(0, bundleIndex, inBundle, IsEntries: true), buffer.WrittenSpan.ToArray()));
        return writes;
    }

    /// <summary>Everything a committed size implies is immutable. A batch may only write paths
    /// that the committed tree does not imply; anything else is a bug that would rewrite history.</summary>
    private static void GuardUncommitted(TileAddress address, long committedSize)
    {
        int committedWidth = address.IsEntries
            ? TileMath.EntryBundleWidth(address.Index, committedSize)
            : TileMath.WidthAt(address.Level, address.Index, committedSize);
        if (committedWidth >= address.Width)
            throw new InvalidOperationException(
                $"refusing to rewrite {address.ToPath()}: it is already committed at size {committedSize}");
    }
}
