namespace RekorPosix.Tiles;

/// <summary>Hash tile codec: 1..256 raw 32-byte hashes, concatenated, nothing else.</summary>
public static class HashTile
{
    public const int MaxBytes = TileMath.TileWidth * Rfc6962.HashSize;

    public static byte[] Encode(IReadOnlyList<byte[]> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (hashes.Count is < 1 or > TileMath.TileWidth)
            throw new ArgumentException($"A tile holds 1..256 hashes, got {hashes.Count}.", nameof(hashes));
        var data = new byte[hashes.Count * Rfc6962.HashSize];
        for (int i = 0; i < hashes.Count; i++)
        {
            if (hashes[i] is not { Length: Rfc6962.HashSize } hash)
                throw new ArgumentException($"Hash {i} is not {Rfc6962.HashSize} bytes.", nameof(hashes));
            hash.CopyTo(data, i * Rfc6962.HashSize);
        }
        return data;
    }

    /// <summary>True when the data is exactly a tile of that width (1..256).</summary>
    public static bool IsValid(ReadOnlySpan<byte> data, int width) =>
        width is >= 1 and <= TileMath.TileWidth && data.Length == width * Rfc6962.HashSize;

    /// <summary>
    /// Cuts a tile down to its first <paramref name="width"/> hashes, for a full (or wider) tile read
    /// as a fallback for a missing partial. The data must itself be a well-formed tile.
    /// </summary>
    public static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> data, int width)
    {
        if (width is < 1 or > TileMath.TileWidth)
            throw new ArgumentOutOfRangeException(nameof(width), width, "Width must be 1..256.");
        int length = data.Length;
        if (length % Rfc6962.HashSize != 0 || length > MaxBytes)
            throw new FormatException($"A {length}-byte file is not a hash tile.");
        if (length < width * Rfc6962.HashSize)
            throw new FormatException($"Tile holds {length / Rfc6962.HashSize} hashes, {width} needed.");
        return data[..(width * Rfc6962.HashSize)];
    }

    public static ReadOnlySpan<byte> HashAt(ReadOnlySpan<byte> tile, int i)
    {
        if (i < 0 || (long)(i + 1) * Rfc6962.HashSize > tile.Length)
            throw new ArgumentOutOfRangeException(nameof(i), i, $"Tile holds {tile.Length / Rfc6962.HashSize} hashes.");
        return tile.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize);
    }
}
