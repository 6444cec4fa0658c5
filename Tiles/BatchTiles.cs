namespace RekorPosix.Tiles;

/// <summary>
/// What appending a batch at the end of a tree writes, for any storage: the entry bundles (the
/// committed partial bundle as prefix, then the new entries, cut into full bundles and a trailing
/// partial) and every hash tile the batch touched. Pure: the caller reads the prefix and writes
/// the result; the edge it passes in is advanced to the new size.
/// </summary>
public static class BatchTiles
{
    /// <param name="edge">The right edge at the committed size; afterwards at the new size.</param>
    /// <param name="committedPartialBundle">The partial entry bundle at the committed size (empty when
    /// that size is a multiple of 256).</param>
    /// <param name="space">Where the bundles are written, reused batch after batch; null: a new array.</param>
    public static List<TileWrite> Build(TileTreeBuilder edge, ReadOnlyMemory<byte> committedPartialBundle, IReadOnlyList<ReadOnlyMemory<byte>> entries,
        BundleSpace? space = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(entries.Count);
        long committed = edge.Size;
        var writes = Bundles(committed, committedPartialBundle, entries, space, out byte[] leafHashes);
        writes.AddRange(edge.Append(leafHashes));
        foreach (var write in writes)
            GuardUncommitted(write.Address, committed);
        return writes;
    }

    /// <summary>All the batch's bundles in one piece of memory, each write a slice of it: growing a
    /// buffer per bundle, or an array each, was a good part of the write path's garbage.</summary>
    private static List<TileWrite> Bundles(long size, ReadOnlyMemory<byte> prefix, IReadOnlyList<ReadOnlyMemory<byte>> entries, BundleSpace? space,
        out byte[] leafHashes)
    {
        int total = prefix.Length;
        foreach (var entry in entries)
            total = checked(total + EntryBundle.RecordSize(entry.Length));
        Memory<byte> data = space?.Take(total, prefix) ?? new byte[total];
        prefix.Span.CopyTo(data.Span);
        var writes = new List<TileWrite>();
        leafHashes = new byte[entries.Count * Rfc6962.HashSize];
        long bundleIndex = size / TileMath.TileWidth;
        int inBundle = (int)(size % TileMath.TileWidth);
        int bundleStart = 0;
        int offset = prefix.Length;
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i].Span;
            offset += EntryBundle.Write(data.Span[offset..], entry);
            Rfc6962.LeafHash(entry, leafHashes.AsSpan(i * Rfc6962.HashSize, Rfc6962.HashSize));
            inBundle++;
            if (inBundle < TileMath.TileWidth && i < entries.Count - 1)
                continue;
            writes.Add(new TileWrite(new TileAddress(0, bundleIndex, inBundle, IsEntries: true), data[bundleStart..offset]));
            bundleStart = offset;
            if (inBundle == TileMath.TileWidth)
            {
                bundleIndex++;
                inBundle = 0;
            }
        }
        return writes;
    }

    /// <summary>Everything a committed size implies is immutable. A batch may only write paths
    /// that the committed tree does not imply; anything else is a bug that would rewrite history.
    /// Build cannot produce such a path today: the guard is there for when it changes.</summary>
    internal static void GuardUncommitted(TileAddress address, long committedSize)
    {
        int committedWidth = address.IsEntries
            ? TileMath.EntryBundleWidth(address.Index, committedSize)
            : TileMath.WidthAt(address.Level, address.Index, committedSize);
        if (committedWidth >= address.Width)
            throw new InvalidOperationException(
                $"refusing to rewrite {address.ToPath()}: it is already committed at size {committedSize}");
    }
}
