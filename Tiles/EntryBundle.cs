using System.Buffers;
using System.Buffers.Binary;

namespace RekorPosix.Tiles;

/// <summary>
/// Entry bundle codec: up to 256 records of uint16 big-endian length ‖ entry bytes, no framing,
/// no trailing bytes. An empty entry is a legal record.
/// </summary>
public static class EntryBundle
{
    public const int MaxEntrySize = ushort.MaxValue;

    private const int LengthSize = sizeof(ushort);

    /// <summary>The largest well-formed bundle: 256 entries of the largest size.</summary>
    public const int MaxBundleSize = TileMath.TileWidth * (LengthSize + MaxEntrySize);

    public static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> entry)
    {
        ArgumentNullException.ThrowIfNull(output);
        int size = RecordSize(entry.Length);
        output.Advance(Write(output.GetSpan(size), entry));
    }

    /// <summary>Bytes one entry of <paramref name="entryLength"/> bytes takes in a bundle.</summary>
    public static int RecordSize(int entryLength)
    {
        if (entryLength > MaxEntrySize)
            throw new ArgumentException($"Entry is {entryLength} bytes; the limit is {MaxEntrySize}.", nameof(entryLength));
        return LengthSize + entryLength;
    }

    /// <summary>Writes one record at the start of <paramref name="output"/> and returns its size.</summary>
    public static int Write(Span<byte> output, ReadOnlySpan<byte> entry)
    {
        int size = RecordSize(entry.Length);
        BinaryPrimitives.WriteUInt16BigEndian(output, (ushort)entry.Length);
        entry.CopyTo(output[LengthSize..size]);
        return size;
    }

    public static byte[] Encode(IEnumerable<ReadOnlyMemory<byte>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var writer = new ArrayBufferWriter<byte>();
        int count = 0;
        foreach (var entry in entries)
        {
            if (++count > TileMath.TileWidth)
                throw new ArgumentException($"A bundle holds at most {TileMath.TileWidth} entries.", nameof(entries));
            Append(writer, entry.Span);
        }
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Splits a bundle into its entries, as slices of <paramref name="data"/> (no copies).</summary>
    public static List<ReadOnlyMemory<byte>> Parse(ReadOnlyMemory<byte> data)
    {
        var entries = new List<ReadOnlyMemory<byte>>();
        int offset = 0;
        while (offset < data.Length)
        {
            int length = ReadRecord(data.Span, offset, entries.Count);
            entries.Add(data.Slice(offset + LengthSize, length));
            offset += LengthSize + length;
        }
        return entries;
    }

    public static int Count(ReadOnlySpan<byte> data)
    {
        int count = 0;
        int offset = 0;
        while (offset < data.Length)
        {
            offset += LengthSize + ReadRecord(data, offset, count);
            count++;
        }
        return count;
    }

    /// <summary>
    /// The prefix holding exactly the first <paramref name="count"/> entries, e.g. a full bundle read
    /// as a fallback for a partial. The whole input must be a well-formed bundle.
    /// </summary>
    public static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> data, int count)
    {
        if (count is < 0 or > TileMath.TileWidth)
            throw new ArgumentOutOfRangeException(nameof(count), count, "Count must be 0..256.");
        int available = Count(data.Span);
        if (available < count)
            throw new FormatException($"Bundle holds {available} entries, {count} needed.");
        int offset = 0;
        for (int i = 0; i < count; i++)
            offset += LengthSize + BinaryPrimitives.ReadUInt16BigEndian(data.Span[offset..]);
        return data[..offset];
    }

    /// <summary>Validates the record at <paramref name="offset"/> and returns its entry length.</summary>
    private static int ReadRecord(ReadOnlySpan<byte> data, int offset, int index)
    {
        if (index >= TileMath.TileWidth)
            throw new FormatException($"Bundle holds more than {TileMath.TileWidth} entries.");
        if (data.Length - offset < LengthSize)
            throw new FormatException($"Entry {index}: truncated length prefix at offset {offset}.");
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
        if (data.Length - offset - LengthSize < length)
            throw new FormatException($"Entry {index}: {length} bytes declared at offset {offset}, only {data.Length - offset - LengthSize} left.");
        return length;
    }
}
