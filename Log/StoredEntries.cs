using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>One entry of the log read back from the entry bundle that holds it.</summary>
public static class StoredEntries
{
    /// <summary>The entry at <paramref name="index"/> of a tree of <paramref name="treeSize"/>
    /// entries, from its bundle at the width that size gives it. Throws
    /// <see cref="LogStateException"/> when the stored bundle holds fewer entries than that width.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>> ReadAsync(ILogReader reader, long index, long treeSize, CancellationToken cancel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, treeSize);
        var address = TileMath.EntryBundleAt(index / TileMath.TileWidth, treeSize)!.Value;
        var entries = EntryBundle.Parse(await reader.ReadEntryBundleAsync(address, cancel).ConfigureAwait(false));
        int offset = (int)(index % TileMath.TileWidth);
        if (entries.Count != address.Width)
            throw new LogStateException($"{address.ToPath()} holds {entries.Count} entries, not {address.Width}");
        return entries[offset];
    }
}
