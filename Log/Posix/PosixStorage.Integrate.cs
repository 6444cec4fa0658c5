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
            KeepPartialBundle(writes);
            return state.Size;
        }
    }

    /// <summary>Entry bundles for the batch: the committed partial bundle (if any) as prefix,
    /// then the new entries, cut into full bundles and a trailing partial. Each bundle is one array
    /// of its exact size: a partial bundle can reach hundreds of KiB, and growing buffers for it
    /// every batch was a good part of the write path's garbage.</summary>
    private List<TileWrite> BuildBundles(long size, IReadOnlyList<ReadOnlyMemory<byte>> entries, out byte[] leafHashes)
    {
        var writes = new List<TileWrite>();
        leafHashes = new byte[entries.Count * Rfc6962.HashSize];
        long bundleIndex = size / TileMath.TileWidth;
        int inBundle = (int)(size % TileMath.TileWidth);
        var prefix = inBundle > 0 ? CommittedPartialBundle(new TileAddress(0, bundleIndex, inBundle, IsEntries: true)) : default;
        for (int first = 0; first < entries.Count;)
        {
            int count = Math.Min(TileMath.TileWidth - inBundle, entries.Count - first);
            int length = prefix.Length;
            for (int i = first; i < first + count; i++)
                length += EntryBundle.RecordSize(entries[i].Length);
            byte[] data = new byte[length];
            prefix.Span.CopyTo(data);
            int offset = prefix.Length;
            for (int i = first; i < first + count; i++)
            {
                var entry = entries[i].Span;
                offset += EntryBundle.Write(data.AsSpan(offset), entry);
                Rfc6962.LeafHash(entry, leafHashes.AsSpan(i * Rfc6962.HashSize, Rfc6962.HashSize));
            }
            inBundle += count;
            writes.Add(new TileWrite(new TileAddress(0, bundleIndex, inBundle, IsEntries: true), data));
            if (inBundle == TileMath.TileWidth)
            {
                bundleIndex++;
                inBundle = 0;
            }
            prefix = default;
            first += count;
        }
        return writes;
    }

    /// <summary>
    /// The partial bundle at the committed size: the copy this process last wrote when it is that
    /// one (a partial's path names its width, so the file under that path never changes once
    /// committed), else read from disk (the first batch, or another process appended since).
    /// </summary>
    private ReadOnlyMemory<byte> CommittedPartialBundle(TileAddress address)
    {
        if (_lastPartialBundle is { } last && last.Address == address)
            return last.Data;
        return ReadEntryBundle(address);
    }

    /// <summary>Remembers the partial bundle a committed batch wrote, for the next batch.</summary>
    private void KeepPartialBundle(List<TileWrite> writes)
    {
        int last = writes.FindLastIndex(w => w.Address.IsEntries);
        _lastPartialBundle = last >= 0 && writes[last].Address.Width < TileMath.TileWidth ? writes[last] : null;
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
