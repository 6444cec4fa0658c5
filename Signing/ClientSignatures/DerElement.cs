namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// Minimal DER TLV reading for signature bytes, where Go's two parsers (encoding/asn1 and cryptobyte)
/// must be mimicked exactly and System.Formats.Asn1's errors would hide which rule failed.
/// Single-byte tags only; definite, minimal lengths only.
/// </summary>
internal static class DerElement
{
    public const byte IntegerTag = 0x02;
    public const byte SequenceTag = 0x30;

    public static bool TryRead(ReadOnlySpan<byte> input, out byte tag, out ReadOnlySpan<byte> contents, out ReadOnlySpan<byte> rest)
    {
        tag = 0;
        contents = rest = default;
        if (input.Length < 2 || (input[0] & 0x1F) == 0x1F)
            return false;
        tag = input[0];
        int length = input[1];
        var header = 2;
        if (length >= 0x80)
        {
            var count = length & 0x7F;
            // 0x80 is BER's indefinite length; more than 4 length bytes cannot fit a signature.
            if (count is 0 or > 4 || input.Length < 2 + count || input[2] == 0)
                return false;
            length = 0;
            for (var i = 0; i < count; i++)
                length = (length << 8) | input[2 + i];
            if (length < 0x80)
                return false; // should have used the short form
            header += count;
        }
        if (length < 0 || input.Length - header < length)
            return false;
        contents = input.Slice(header, length);
        rest = input[(header + length)..];
        return true;
    }

    /// <summary>Non-empty and without a redundant leading 0x00 or 0xFF byte.</summary>
    public static bool IsMinimalInteger(ReadOnlySpan<byte> contents) =>
        !contents.IsEmpty
        && !(contents.Length > 1 && ((contents[0] == 0x00 && (contents[1] & 0x80) == 0)
                                     || (contents[0] == 0xFF && (contents[1] & 0x80) != 0)));
}
