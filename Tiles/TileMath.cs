namespace RekorPosix.Tiles;

/// <summary>
/// Which tiles a tree size implies. A width is 256 for a full tile, 1..255 for a partial one and
/// 0 when the tile does not exist: "empty" and "full" are never conflated (tessera bug #1178).
/// </summary>
public static class TileMath
{
    public const int TileWidth = 256;
    public const int TileHeight = 8;

    /// <summary>Number of stored hashes at a level: floor(treeSize / 256^level).</summary>
    public static long HashesAt(int level, long treeSize)
    {
        CheckLevel(level);
        CheckSize(treeSize);
        int shift = level * TileHeight;
        // C# masks shift counts to 6 bits, so a shift of 64 would silently be 0.
        return shift < 63 ? treeSize >> shift : 0;
    }

    public static int WidthAt(int level, long index, long treeSize)
    {
        if (index < 0)
            throw new ArgumentOutOfRangeException(nameof(index), index, "Tile index must not be negative.");
        long hashes = HashesAt(level, treeSize);
        long fullTiles = hashes / TileWidth;
        if (index < fullTiles)
            return TileWidth;
        return index == fullTiles ? (int)(hashes % TileWidth) : 0;
    }

    public static int EntryBundleWidth(long bundleIndex, long treeSize) => WidthAt(0, bundleIndex, treeSize);

    /// <summary>The tile (level, index) at the width the tree size gives it, or null if it does not exist.</summary>
    public static TileAddress? TileAt(int level, long index, long treeSize)
    {
        int width = WidthAt(level, index, treeSize);
        return width == 0 ? null : new TileAddress(level, index, width);
    }

    /// <summary>The entry bundle at the width the tree size gives it, or null if it does not exist.</summary>
    public static TileAddress? EntryBundleAt(long bundleIndex, long treeSize)
    {
        int width = EntryBundleWidth(bundleIndex, treeSize);
        return width == 0 ? null : new TileAddress(0, bundleIndex, width, IsEntries: true);
    }

    /// <summary>
    /// Whether a checkpoint of this size lets the resource be served: a full tile the size has
    /// completed, or a partial no wider than the tile is at that size (an older checkpoint's
    /// partial stays valid after the tile grows). Anything beyond is unpublished or an orphan.
    /// </summary>
    public static bool Implies(long treeSize, TileAddress address)
    {
        int width = WidthAt(address.Level, address.Index, treeSize);
        return address.IsFull ? width == TileWidth : address.Width <= width;
    }

    /// <summary>The right-edge partial tile at a level, or null if the level ends on a tile boundary.</summary>
    public static TileAddress? PartialTile(int level, long treeSize)
    {
        long hashes = HashesAt(level, treeSize);
        int width = (int)(hashes % TileWidth);
        return width == 0 ? null : new TileAddress(level, hashes / TileWidth, width);
    }

    /// <summary>The partial entry bundle the size implies, or null if the size is a multiple of 256.</summary>
    public static TileAddress? PartialEntryBundle(long treeSize)
    {
        CheckSize(treeSize);
        int width = (int)(treeSize % TileWidth);
        return width == 0 ? null : new TileAddress(0, treeSize / TileWidth, width, IsEntries: true);
    }

    /// <summary>Every partial hash tile the size implies, level 0 first.</summary>
    public static IReadOnlyList<TileAddress> RightEdge(long treeSize)
    {
        int levels = LevelCount(treeSize);
        var edge = new List<TileAddress>(levels);
        for (int level = 0; level < levels; level++)
        {
            if (PartialTile(level, treeSize) is { } tile)
                edge.Add(tile);
        }
        return edge;
    }

    /// <summary>
    /// The full resources that filling entry bundle <paramref name="bundleIndex"/> completed: the
    /// bundle, its level-0 tile, and each parent whose last child that tile (or that parent) is.
    /// Once a published checkpoint covers the bundle, their partials (<c>N.p/</c>) are garbage.
    /// </summary>
    public static IEnumerable<TileAddress> CompletedBy(long bundleIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bundleIndex);
        yield return new TileAddress(0, bundleIndex, TileWidth, IsEntries: true);
        long index = bundleIndex;
        for (int level = 0; ; level++)
        {
            yield return new TileAddress(level, index, TileWidth);
            if (index % TileWidth != TileWidth - 1)
                yield break;
            index /= TileWidth;
        }
    }

    /// <summary>Number of levels holding at least one hash: 0 for the empty tree, 1 up to size 255, …</summary>
    public static int LevelCount(long treeSize)
    {
        CheckSize(treeSize);
        int levels = 0;
        while (treeSize > 0)
        {
            levels++;
            treeSize >>= TileHeight;
        }
        return levels;
    }

    private static void CheckLevel(int level)
    {
        if (level is < 0 or > TileAddress.MaxLevel)
            throw new ArgumentOutOfRangeException(nameof(level), level, "Level must be 0..63.");
    }

    private static void CheckSize(long treeSize)
    {
        if (treeSize < 0)
            throw new ArgumentOutOfRangeException(nameof(treeSize), treeSize, "Tree size must not be negative.");
    }
}
