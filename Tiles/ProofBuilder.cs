using System.Numerics;

namespace RekorPosix.Tiles;

/// <summary>
/// Roots and RFC 9162 proofs for one tree size, computed from stored tiles. Only tiles the size
/// implies are requested, each at the width <see cref="TileMath.WidthAt"/> gives, and each at most once.
/// The tile and node caches live as long as the instance: keep one per tree size. Not thread-safe.
/// </summary>
public sealed class ProofBuilder
{
    private const int HashSize = Rfc6962.HashSize;

    private readonly long _treeSize;
    private readonly Func<TileAddress, ReadOnlyMemory<byte>> _readTile;
    private readonly Dictionary<(int Level, long Index), ReadOnlyMemory<byte>> _tiles = [];
    // Subtree hashes already computed: proofs for neighbouring leaves share most of their nodes,
    // and a stored node of height h costs up to 2^(h%8) hashes to rebuild.
    private readonly Dictionary<(long Start, long End), byte[]> _nodes = [];
    private byte[]? _root;

    public ProofBuilder(long treeSize, Func<TileAddress, ReadOnlyMemory<byte>> readTile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        ArgumentNullException.ThrowIfNull(readTile);
        _treeSize = treeSize;
        _readTile = readTile;
    }

    /// <summary>A builder that reads nothing: every tile it needs is handed in with
    /// <see cref="Supply"/>, found beforehand with <see cref="TilesRead"/> or one at a time from the
    /// <see cref="TileNotSuppliedException"/> a computation throws (what it computed up to there
    /// stays cached), so reading can be asynchronous and outside any lock that guards the builder.</summary>
    public ProofBuilder(long treeSize) : this(treeSize, NotSupplied)
    {
    }

    public long TreeSize => _treeSize;

    /// <summary>
    /// The tiles <paramref name="compute"/> reads from a builder for <paramref name="treeSize"/>,
    /// each once, in the order read. Found by running it over zero-filled tiles: which tiles a root
    /// or proof needs depends only on sizes and indices, never on the hashes they hold.
    /// </summary>
    public static IReadOnlyList<TileAddress> TilesRead(long treeSize, Action<ProofBuilder> compute)
    {
        var read = new List<TileAddress>();
        compute(new ProofBuilder(treeSize, address =>
        {
            read.Add(address);
            return Zeros.AsMemory(0, address.Width * HashSize);
        }) { _planOnly = true });
        return read;
    }

    private static readonly byte[] Zeros = new byte[TileMath.TileWidth * HashSize];
    // Set while only finding which tiles a computation reads: nothing is hashed.
    private bool _planOnly;

    /// <summary>Number of tiles the builder holds (read or supplied).</summary>
    public int TilesHeld => _tiles.Count;

    /// <summary>True when the builder holds the tile at <paramref name="address"/> already.</summary>
    public bool Holds(TileAddress address) => _tiles.ContainsKey((address.Level, address.Index));

    /// <summary>Hands in a tile read elsewhere, checked as if this builder had read it.</summary>
    public void Supply(TileAddress address, ReadOnlyMemory<byte> data)
    {
        if (TileMath.TileAt(address.Level, address.Index, _treeSize) != address with { IsEntries = false } || address.IsEntries)
            throw new ArgumentException($"{address.ToPath()} is not a tile of a tree of size {_treeSize}", nameof(address));
        CheckTile(address, data);
        _tiles[(address.Level, address.Index)] = data;
    }

    public byte[] Root()
    {
        _root ??= _treeSize == 0 ? Rfc6962.EmptyRoot : Hash(0, _treeSize);
        return (byte[])_root.Clone();
    }

    /// <summary>The stored leaf hash at an index.</summary>
    public byte[] LeafHash(long index)
    {
        CheckIndex(index);
        return Hash(index, index + 1);
    }

    /// <summary>Audit path for a leaf (RFC 9162 §2.1.3.1), the leaf's sibling first.</summary>
    public IReadOnlyList<byte[]> Inclusion(long index)
    {
        CheckIndex(index);
        // Walk down from the root; each step records the sibling of the half holding the leaf.
        var path = new List<byte[]>();
        long start = 0, end = _treeSize;
        while (end - start > 1)
        {
            long split = start + SplitPoint(end - start);
            if (index < split)
            {
                path.Add(Hash(split, end));
                end = split;
            }
            else
            {
                path.Add(Hash(start, split));
                start = split;
            }
        }
        path.Reverse();
        return path;
    }

    /// <summary>Consistency proof from <paramref name="oldSize"/> to this size (RFC 9162 §2.1.4.1).</summary>
    public IReadOnlyList<byte[]> Consistency(long oldSize)
    {
        if (oldSize < 0 || oldSize > _treeSize)
            throw new ArgumentOutOfRangeException(nameof(oldSize), oldSize, $"Old size must be 0..{_treeSize}.");
        var proof = new List<byte[]>();
        if (oldSize == 0 || oldSize == _treeSize)
            return proof;

        // SUBPROOF(m, D[start:end], b) unrolled: each step records one sibling, collected root-first.
        long m = oldSize, start = 0, end = _treeSize;
        bool wholeOldTree = true;
        while (m != end - start)
        {
            long k = SplitPoint(end - start);
            if (m <= k)
            {
                proof.Add(Hash(start + k, end));
                end = start + k;
            }
            else
            {
                proof.Add(Hash(start, start + k));
                start += k;
                m -= k;
                wholeOldTree = false;
            }
        }
        // The old tree's own subtree is needed unless the verifier already has it as the old root.
        if (!wholeOldTree)
            proof.Add(Hash(start, end));
        proof.Reverse();
        return proof;
    }

    /// <summary>MTH of leaves [start, end): a stored node when aligned and a power of two, else split.</summary>
    private byte[] Hash(long start, long end)
    {
        if (_nodes.TryGetValue((start, end), out var known))
            return known;
        long n = end - start;
        byte[] hash;
        if (BitOperations.IsPow2(n) && start % n == 0)
        {
            hash = StoredNode(BitOperations.Log2((ulong)n), start / n);
        }
        else
        {
            long k = SplitPoint(n);
            byte[] left = Hash(start, start + k), right = Hash(start + k, end);
            hash = _planOnly ? left : Rfc6962.NodeHash(left, right);
        }
        _nodes[(start, end)] = hash;
        return hash;
    }

    /// <summary>
    /// The node of height h at position i: tile level h/8 stores nodes of height 8·(h/8), so it is
    /// the perfect subtree over 2^(h%8) adjacent stored hashes, all within one tile.
    /// </summary>
    private byte[] StoredNode(int height, long position)
    {
        int level = height / TileMath.TileHeight;
        int groupSize = 1 << (height % TileMath.TileHeight);
        long first = position * groupSize;
        long tileIndex = first / TileMath.TileWidth;
        int offset = (int)(first % TileMath.TileWidth);

        var tile = Tile(level, tileIndex).Span;
        if (_planOnly)
            return Zeros[..HashSize];
        var group = tile.Slice(offset * HashSize, groupSize * HashSize);
        var hash = new byte[HashSize];
        Rfc6962.PerfectSubtreeHash(group, hash);
        return hash;
    }

    private ReadOnlyMemory<byte> Tile(int level, long index)
    {
        if (_tiles.TryGetValue((level, index), out var cached))
            return cached;
        var address = TileMath.TileAt(level, index, _treeSize)
            ?? throw new InvalidOperationException($"Tile {level}/{index} is not part of a tree of size {_treeSize}.");
        var data = _readTile(address);
        CheckTile(address, data);
        _tiles[(level, index)] = data;
        return data;
    }

    private void CheckTile(TileAddress address, ReadOnlyMemory<byte> data)
    {
        if (!HashTile.IsValid(data.Span, address.Width))
            throw new FormatException(
                $"{address.ToPath()}: expected {address.Width * HashSize} bytes for a tree of size {_treeSize}, got {data.Length}.");
    }

    private static ReadOnlyMemory<byte> NotSupplied(TileAddress address) => throw new TileNotSuppliedException(address);

    /// <summary>Largest power of two strictly below n (n ≥ 2). Shifted as ulong: 2^63 does not fit a long.</summary>
    private static long SplitPoint(long n) => (long)(BitOperations.RoundUpToPowerOf2((ulong)n) >> 1);

    private void CheckIndex(long index)
    {
        if (index < 0 || index >= _treeSize)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be 0..{_treeSize - 1}.");
    }
}
