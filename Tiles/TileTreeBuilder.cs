namespace RekorPosix.Tiles;

/// <summary>
/// The right edge of a tiled Merkle tree: for each level, the hashes of its current partial tile.
/// That is all that is needed to append leaves, emit the tiles they change and compute the root,
/// so resuming costs O(levels) reads and rebuilding a log streams in constant memory.
/// Not thread-safe: one writer owns an instance.
/// </summary>
public sealed class TileTreeBuilder
{
    // Level 8 would need 256^8 = 2^64 leaves, more than a long can count.
    private const int MaxLevels = 8;
    private const int HashSize = Rfc6962.HashSize;

    private readonly byte[]?[] _levels = new byte[MaxLevels][];
    private readonly int[] _counts = new int[MaxLevels];
    private byte[]? _root;

    private TileTreeBuilder()
    {
    }

    /// <summary>Number of leaves in the tree.</summary>
    public long Size { get; private set; }

    public static TileTreeBuilder Empty() => new();

    /// <summary>
    /// Picks up a tree of the given size by reading exactly the right-edge partial tiles it implies.
    /// <paramref name="readTile"/> must return exactly width × 32 bytes for each (trim any full-tile fallback first).
    /// </summary>
    public static TileTreeBuilder Resume(long size, Func<TileAddress, ReadOnlyMemory<byte>> readTile)
    {
        ArgumentNullException.ThrowIfNull(readTile);
        var edge = TileMath.RightEdge(size); // validates size
        var builder = new TileTreeBuilder();
        foreach (var tile in edge)
        {
            var data = readTile(tile);
            if (!HashTile.IsValid(data.Span, tile.Width))
                throw new FormatException(
                    $"{tile.ToPath()}: expected {tile.Width * HashSize} bytes for a tree of size {size}, got {data.Length}.");
            data.Span.CopyTo(builder.LevelBuffer(tile.Level));
            builder._counts[tile.Level] = tile.Width;
        }
        builder.Size = size;
        return builder;
    }

    /// <summary>RFC 6962 root of the whole tree; the empty-tree hash for size 0.</summary>
    public byte[] Root()
    {
        _root ??= ComputeRoot();
        return (byte[])_root.Clone();
    }

    public IReadOnlyList<TileWrite> Append(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        for (int i = 0; i < leafHashes.Count; i++)
        {
            if (leafHashes[i] is not { Length: HashSize })
                throw new ArgumentException($"Leaf hash {i} is not {HashSize} bytes.", nameof(leafHashes));
        }
        CheckGrowth(leafHashes.Count);

        var writes = new List<TileWrite>();
        Span<bool> touched = stackalloc bool[MaxLevels];
        for (int i = 0; i < leafHashes.Count; i++)
            Push(leafHashes[i], writes, touched);
        AddPartials(writes, touched);
        return writes;
    }

    /// <summary>Appends leaf hashes given as one concatenated span (a multiple of 32 bytes).</summary>
    public IReadOnlyList<TileWrite> Append(ReadOnlySpan<byte> leafHashes)
    {
        if (leafHashes.Length % HashSize != 0)
            throw new ArgumentException($"Length {leafHashes.Length} is not a multiple of {HashSize}.", nameof(leafHashes));
        int count = leafHashes.Length / HashSize;
        CheckGrowth(count);

        var writes = new List<TileWrite>();
        Span<bool> touched = stackalloc bool[MaxLevels];
        for (int i = 0; i < count; i++)
            Push(leafHashes.Slice(i * HashSize, HashSize), writes, touched);
        AddPartials(writes, touched);
        return writes;
    }

    /// <summary>Adds one leaf; each tile it fills is emitted and its hash carried one level up.</summary>
    private void Push(ReadOnlySpan<byte> leafHash, List<TileWrite> writes, Span<bool> touched)
    {
        _root = null;
        Size++;
        Span<byte> carry = stackalloc byte[HashSize];
        scoped ReadOnlySpan<byte> hash = leafHash;
        for (int level = 0; ; level++)
        {
            var buffer = LevelBuffer(level);
            hash.CopyTo(buffer.AsSpan(_counts[level] * HashSize));
            touched[level] = true;
            if (++_counts[level] < TileMath.TileWidth)
                return;

            long tileIndex = TileMath.HashesAt(level, Size) / TileMath.TileWidth - 1;
            writes.Add(new TileWrite(new TileAddress(level, tileIndex, TileMath.TileWidth), (byte[])buffer.Clone()));
            Rfc6962.PerfectSubtreeHash(buffer, carry);
            _counts[level] = 0;
            hash = carry;
        }
    }

    private void AddPartials(List<TileWrite> writes, ReadOnlySpan<bool> touched)
    {
        for (int level = 0; level < MaxLevels; level++)
        {
            if (!touched[level] || _counts[level] == 0)
                continue;
            var address = TileMath.PartialTile(level, Size)!.Value;
            writes.Add(new TileWrite(address, _levels[level].AsSpan(0, _counts[level] * HashSize).ToArray()));
        }
    }

    /// <summary>
    /// Splits each level's partial hashes into aligned power-of-two groups (a perfect subtree each,
    /// following the binary digits of the size) and folds them right to left, as RFC 6962's MTH does.
    /// </summary>
    private byte[] ComputeRoot()
    {
        if (Size == 0)
            return Rfc6962.EmptyRoot;
        Span<byte> subtree = stackalloc byte[HashSize];
        Span<byte> acc = stackalloc byte[HashSize];
        bool started = false;
        for (int level = 0; level < MaxLevels; level++)
        {
            int count = _counts[level];
            int end = count;
            // Smallest group first: it is the rightmost one at this level.
            for (int bit = 0; bit < TileMath.TileHeight; bit++)
            {
                int groupSize = 1 << bit;
                if ((count & groupSize) == 0)
                    continue;
                int start = end - groupSize;
                Rfc6962.PerfectSubtreeHash(_levels[level].AsSpan(start * HashSize, groupSize * HashSize), subtree);
                if (started)
                    Rfc6962.NodeHash(subtree, acc, acc);
                else
                    subtree.CopyTo(acc);
                started = true;
                end = start;
            }
        }
        return acc.ToArray();
    }

    private byte[] LevelBuffer(int level) => _levels[level] ??= new byte[HashTile.MaxBytes];

    private void CheckGrowth(long count)
    {
        if (count > long.MaxValue - Size)
            throw new InvalidOperationException("The tree cannot grow beyond long.MaxValue leaves.");
    }
}
