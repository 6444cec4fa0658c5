namespace RekorPosix.Log.Cloud;

/// <summary>
/// One sequenced entry as the Go AWS driver stores it in <c>Seq.v</c>: <see cref="BundleData"/> is the
/// entry already framed for a bundle (uint16 big-endian length, then the entry) and <see cref="LeafHash"/>
/// its RFC 6962 leaf hash. The gob layer does not check either; the integrator must.
/// </summary>
internal readonly record struct SequencedEntry(ReadOnlyMemory<byte> BundleData, ReadOnlyMemory<byte> LeafHash);

/// <summary>
/// The <c>Seq.v</c> blob: a complete Go encoding/gob stream of <c>[]SequencedEntry</c> as a fresh Go
/// encoder writes it (spec cloud-flavours.md §3.3). <see cref="Encode"/> gives Go's bytes exactly;
/// <see cref="Decode"/> reads any Go-written blob of that type without assuming its type ids.
/// </summary>
internal static class SequencedBatch
{
    /// <summary>Go's decoder refuses a message of 1 GiB or more; the writer keeps to the same bound.</summary>
    public const int MaxMessageLength = (1 << 30) - 1;

    /// <summary>The type id a fresh Go process gives the slice type; the struct is 65.</summary>
    private const long SliceTypeId = 66;

    /// <summary>More type definitions than a <c>[]SequencedEntry</c> stream can need (it has two).</summary>
    private const int MaxDefinitions = 8;

    /// <summary>
    /// The type definitions a fresh encoder sends first, as Go 1.19 wrote them: type 66 is a slice of
    /// type 65, and type 65 is the struct <c>SequencedEntry</c> with fields <c>BundleData</c> and
    /// <c>LeafHash</c>, both builtin type 10 (<c>[]byte</c>). Go matches fields by name, so the names are
    /// part of the format.
    /// </summary>
    private static ReadOnlySpan<byte> TypeDefinitions =>
    [
        // 13 bytes, type -66: slice, element type 65.
        0x0d, 0xff, 0x83, 0x02, 0x01, 0x02, 0xff, 0x84, 0x00, 0x01, 0xff, 0x82, 0x00, 0x00,
        // 56 bytes, type -65: struct "SequencedEntry" { "BundleData" 10; "LeafHash" 10 }.
        0x38, 0xff, 0x81, 0x03, 0x01, 0x01, 0x0e,
        (byte)'S', (byte)'e', (byte)'q', (byte)'u', (byte)'e', (byte)'n', (byte)'c', (byte)'e', (byte)'d',
        (byte)'E', (byte)'n', (byte)'t', (byte)'r', (byte)'y',
        0x01, 0xff, 0x82, 0x00, 0x01, 0x02, 0x01, 0x0a,
        (byte)'B', (byte)'u', (byte)'n', (byte)'d', (byte)'l', (byte)'e', (byte)'D', (byte)'a', (byte)'t', (byte)'a',
        0x01, 0x0a, 0x00, 0x01, 0x08,
        (byte)'L', (byte)'e', (byte)'a', (byte)'f', (byte)'H', (byte)'a', (byte)'s', (byte)'h',
        0x01, 0x0a, 0x00, 0x00, 0x00,
    ];

    /// <summary>The length of <see cref="TypeDefinitions"/> (71).</summary>
    public static int TypeDefinitionsLength => TypeDefinitions.Length;

    /// <summary>
    /// The gob stream of <paramref name="entries"/>, byte for byte what Go writes: the type definitions,
    /// then one value message. As in Go, an empty field is left out (the next field's delta skips it).
    /// </summary>
    public static byte[] Encode(IReadOnlyList<SequencedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long body = GobPrimitives.IntSize(SliceTypeId) + 1 + GobPrimitives.UintSize((ulong)entries.Count);
        for (int i = 0; i < entries.Count; i++)
            body += FieldSize(entries[i].BundleData.Length) + FieldSize(entries[i].LeafHash.Length) + 1;
        if (body > MaxMessageLength)
            throw new ArgumentException($"the batch encodes to a {body}-byte gob message; Go refuses {MaxMessageLength + 1} or more", nameof(entries));

        var output = new byte[TypeDefinitions.Length + GobPrimitives.UintSize((ulong)body) + body];
        Span<byte> rest = output;
        TypeDefinitions.CopyTo(rest);
        rest = rest[TypeDefinitions.Length..];
        rest = rest[GobPrimitives.WriteUint(rest, (ulong)body)..];
        rest = rest[GobPrimitives.WriteInt(rest, SliceTypeId)..];
        rest[0] = 0; // field delta 0: a top-level value that is not a struct
        rest = rest[1..];
        rest = rest[GobPrimitives.WriteUint(rest, (ulong)entries.Count)..];
        for (int i = 0; i < entries.Count; i++)
        {
            ulong delta = 1;
            rest = WriteField(rest, ref delta, entries[i].BundleData.Span);
            rest = WriteField(rest, ref delta, entries[i].LeafHash.Span);
            rest[0] = 0; // end of struct
            rest = rest[1..];
        }
        if (!rest.IsEmpty)
            throw new InvalidOperationException($"gob size computed wrong: {rest.Length} bytes left over");
        return output;
    }

    private static long FieldSize(int length) =>
        length == 0 ? 0 : 1 + GobPrimitives.UintSize((ulong)length) + length;

    private static Span<byte> WriteField(Span<byte> output, scoped ref ulong delta, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            delta++;
            return output;
        }
        output = output[GobPrimitives.WriteUint(output, delta)..];
        delta = 1;
        output = output[GobPrimitives.WriteUint(output, (ulong)value.Length)..];
        value.CopyTo(output);
        return output[value.Length..];
    }

    /// <summary>
    /// The entries of a Go-written blob. Type-definition messages are skipped (not interpreted), but
    /// the value's type must be one they defined; an absent field is empty. The entries are views of
    /// <paramref name="blob"/>, not copies. Anything else (truncation, trailing bytes, a field number
    /// other than 0 or 1, a length or count the input cannot hold) is a <see cref="FormatException"/>
    /// naming the offset.
    /// </summary>
    public static SequencedEntry[] Decode(ReadOnlyMemory<byte> blob)
    {
        ReadOnlySpan<byte> input = blob.Span;
        if (input.IsEmpty)
            throw new FormatException("gob: offset 0: empty input, no value message");
        Span<long> defined = stackalloc long[MaxDefinitions];
        int definedCount = 0;
        int pos = 0;
        while (pos < input.Length)
        {
            int messageStart = pos;
            ulong length = GobPrimitives.ReadUint(input, ref pos);
            if (length == 0)
                throw new FormatException($"gob: offset {messageStart}: message of length 0");
            if (length > MaxMessageLength)
                throw new FormatException($"gob: offset {messageStart}: message length {length} is 1 GiB or more");
            if (length > (ulong)(input.Length - pos))
                throw new FormatException($"gob: offset {messageStart}: message length {length} runs past the end of the input ({input.Length - pos} bytes left)");
            int messageEnd = pos + (int)length;
            ReadOnlySpan<byte> message = input[..messageEnd];

            int idOffset = pos;
            long typeId = GobPrimitives.ReadInt(message, ref pos);
            if (typeId < 0)
            {
                if (typeId == long.MinValue)
                    throw new FormatException($"gob: offset {idOffset}: type id out of range");
                if (defined[..definedCount].Contains(-typeId))
                    throw new FormatException($"gob: offset {idOffset}: type {-typeId} is defined twice");
                if (definedCount == MaxDefinitions)
                    throw new FormatException($"gob: offset {idOffset}: more than {MaxDefinitions} type definitions, a []SequencedEntry stream has 2");
                defined[definedCount++] = -typeId;
                pos = messageEnd;
                continue;
            }
            if (typeId == 0)
                throw new FormatException($"gob: offset {idOffset}: type id 0");
            if (!defined[..definedCount].Contains(typeId))
                throw new FormatException($"gob: offset {idOffset}: a value of type {typeId}, which the stream did not define");

            SequencedEntry[] entries = DecodeValue(blob, message, ref pos);
            if (pos != messageEnd)
                throw new FormatException($"gob: offset {pos}: {messageEnd - pos} bytes after the value, inside its message");
            if (messageEnd != input.Length)
                throw new FormatException($"gob: offset {messageEnd}: {input.Length - messageEnd} trailing bytes after the value message");
            return entries;
        }
        throw new FormatException($"gob: offset {input.Length}: input ends after the type definitions, with no value message");
    }

    private static SequencedEntry[] DecodeValue(ReadOnlyMemory<byte> blob, ReadOnlySpan<byte> message, ref int pos)
    {
        int deltaOffset = pos;
        if (GobPrimitives.ReadUint(message, ref pos) != 0)
            throw new FormatException($"gob: offset {deltaOffset}: a top-level slice must start with field delta 0");
        int countOffset = pos;
        ulong count = GobPrimitives.ReadUint(message, ref pos);
        // Each element takes at least its end-of-struct byte.
        if (count > (ulong)(message.Length - pos))
            throw new FormatException($"gob: offset {countOffset}: {count} elements cannot fit in the {message.Length - pos} bytes left in the message");

        var entries = new SequencedEntry[(int)count];
        for (int i = 0; i < entries.Length; i++)
        {
            ReadOnlyMemory<byte> bundleData = default, leafHash = default;
            long field = -1;
            while (true)
            {
                int fieldOffset = pos;
                ulong delta = GobPrimitives.ReadUint(message, ref pos);
                if (delta == 0)
                    break;
                if (delta > 2 || field + (long)delta > 1)
                    throw new FormatException($"gob: offset {fieldOffset}: element {i}: field delta {delta} after field {field} leaves SequencedEntry's fields 0 (BundleData) and 1 (LeafHash)");
                field += (long)delta;
                int lengthOffset = pos;
                ulong length = GobPrimitives.ReadUint(message, ref pos);
                if (length > (ulong)(message.Length - pos))
                    throw new FormatException($"gob: offset {lengthOffset}: element {i}: byte-slice length {length} runs past the end of the message ({message.Length - pos} bytes left)");
                ReadOnlyMemory<byte> value = blob.Slice(pos, (int)length);
                pos += (int)length;
                if (field == 0)
                    bundleData = value;
                else
                    leafHash = value;
            }
            entries[i] = new SequencedEntry(bundleData, leafHash);
        }
        return entries;
    }
}
