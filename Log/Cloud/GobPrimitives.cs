namespace RekorPosix.Log.Cloud;

/// <summary>
/// The two integer encodings of Go's encoding/gob (spec cloud-flavours.md §3.3). An unsigned value
/// below 128 is one byte; a larger one is a byte holding minus its byte count (0xFF for one byte
/// .. 0xF8 for eight) followed by the value's big-endian bytes without leading zeros. A signed value
/// is first folded into an unsigned one: i ≥ 0 gives i·2, i &lt; 0 gives (~i)·2 + 1.
/// </summary>
internal static class GobPrimitives
{
    /// <summary>The most bytes one encoded integer takes: the count byte and eight value bytes.</summary>
    public const int MaxIntSize = 9;

    /// <summary>The encoded size of <paramref name="value"/>.</summary>
    public static int UintSize(ulong value)
    {
        if (value < 0x80)
            return 1;
        int bytes = (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8;
        return 1 + bytes;
    }

    public static int IntSize(long value) => UintSize(FoldSigned(value));

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="output"/>; returns the bytes written.</summary>
    public static int WriteUint(Span<byte> output, ulong value)
    {
        int size = UintSize(value);
        if (output.Length < size)
            throw new ArgumentException($"{size} bytes needed to encode {value}, {output.Length} available", nameof(output));
        if (size == 1)
        {
            output[0] = (byte)value;
            return 1;
        }
        int count = size - 1;
        output[0] = (byte)(256 - count);
        for (int i = count; i >= 1; i--)
        {
            output[i] = (byte)value;
            value >>= 8;
        }
        return size;
    }

    public static int WriteInt(Span<byte> output, long value) => WriteUint(output, FoldSigned(value));

    /// <summary>
    /// Reads an unsigned integer at <paramref name="offset"/> and advances it. Like Go's decoder, a
    /// value written with more bytes than needed is accepted; a count byte of 0x80..0xF7 (nine or
    /// more bytes) or input ending inside the value is a <see cref="FormatException"/> naming the offset.
    /// </summary>
    public static ulong ReadUint(ReadOnlySpan<byte> input, ref int offset)
    {
        int start = offset;
        if ((uint)start >= (uint)input.Length)
            throw new FormatException($"gob: offset {start}: the data ends where an integer was expected");
        byte first = input[start];
        if (first < 0x80)
        {
            offset = start + 1;
            return first;
        }
        int count = 256 - first;
        if (count > 8)
            throw new FormatException($"gob: offset {start}: integer byte count 0x{first:x2} is out of range (at most 8 bytes)");
        if (input.Length - (start + 1) < count)
            throw new FormatException($"gob: offset {start}: the data ends inside a {count}-byte integer");
        ulong value = 0;
        for (int i = 1; i <= count; i++)
            value = (value << 8) | input[start + i];
        offset = start + 1 + count;
        return value;
    }

    /// <summary>Reads a signed integer at <paramref name="offset"/> and advances it (see <see cref="ReadUint"/>).</summary>
    public static long ReadInt(ReadOnlySpan<byte> input, ref int offset) => UnfoldSigned(ReadUint(input, ref offset));

    private static ulong FoldSigned(long value) =>
        value >= 0 ? (ulong)value << 1 : ((ulong)~value << 1) | 1;

    private static long UnfoldSigned(ulong folded) =>
        (folded & 1) == 0 ? (long)(folded >> 1) : ~(long)(folded >> 1);
}
