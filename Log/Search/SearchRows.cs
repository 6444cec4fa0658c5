using System.Buffers.Binary;

namespace RekorPosix.Log.Search;

/// <summary>The rows of a batch, side by side in one growing buffer: each a
/// <see cref="SearchKey"/> and the entry's index (big-endian), <see cref="RowSize"/> bytes.</summary>
internal sealed class SearchRows
{
    public const int RowSize = SearchKey.Size + sizeof(long);

    private byte[] _buffer = new byte[64 * RowSize];

    public int Count { get; private set; }

    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Count * RowSize);

    public void Clear() => Count = 0;

    public void Add(ReadOnlySpan<byte> key, long index)
    {
        if ((Count + 1) * RowSize > _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        var row = _buffer.AsSpan(Count * RowSize, RowSize);
        key.CopyTo(row);
        BinaryPrimitives.WriteInt64BigEndian(row[SearchKey.Size..], index);
        Count++;
    }

    /// <summary>The key of row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    public static ReadOnlySpan<byte> KeyOf(ReadOnlySpan<byte> rows, int row) => rows.Slice(row * RowSize, SearchKey.Size);

    /// <summary>The entry index of row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    public static long IndexOf(ReadOnlySpan<byte> rows, int row) =>
        BinaryPrimitives.ReadInt64BigEndian(rows.Slice(row * RowSize + SearchKey.Size, sizeof(long)));
}
