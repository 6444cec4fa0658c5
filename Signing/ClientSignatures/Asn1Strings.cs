using System.Formats.Asn1;
using System.Text;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// The string types Go's x509 parser accepts as name attribute values, with its per-type content
/// rules. Any other type makes Go refuse the certificate.
/// </summary>
internal static class Asn1Strings
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary><paramref name="encoded"/> is the whole DER element whose tag is <paramref name="tag"/>.</summary>
    public static bool IsValidNameValue(Asn1Tag tag, ReadOnlyMemory<byte> encoded)
    {
        if (tag.TagClass != TagClass.Universal || tag.IsConstructed)
            return false;
        AsnDecoder.ReadEncodedValue(encoded.Span, AsnEncodingRules.DER, out var offset, out var length, out _);
        var content = encoded.Span.Slice(offset, length);
        return (UniversalTagNumber)tag.TagValue switch
        {
            UniversalTagNumber.T61String => true, // read as Latin-1: every byte is fine
            UniversalTagNumber.PrintableString => content.ToArray().All(IsPrintable),
            UniversalTagNumber.UTF8String => IsUtf8(content),
            UniversalTagNumber.BMPString => IsBmp(content),
            UniversalTagNumber.IA5String => content.ToArray().All(b => b < 0x80),
            UniversalTagNumber.NumericString => content.ToArray().All(b => b is >= (byte)'0' and <= (byte)'9' or (byte)' '),
            _ => false,
        };
    }

    /// <summary>PrintableString per X.680, plus '*' and '&amp;' which Go tolerates for compatibility.</summary>
    private static bool IsPrintable(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)' ' or (byte)'\'' or (byte)'(' or (byte)')' or (byte)'+' or (byte)',' or (byte)'-'
            or (byte)'.' or (byte)'/' or (byte)':' or (byte)'=' or (byte)'?' or (byte)'*' or (byte)'&';

    private static bool IsUtf8(ReadOnlySpan<byte> content)
    {
        try
        {
            StrictUtf8.GetCharCount(content);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>UCS-2: even length, no surrogates and no permanent noncharacters; a final NUL pair is allowed.</summary>
    private static bool IsBmp(ReadOnlySpan<byte> content)
    {
        if (content.Length % 2 != 0)
            return false;
        for (var i = 0; i < content.Length; i += 2)
        {
            var point = (content[i] << 8) | content[i + 1];
            if (point is 0xFFFE or 0xFFFF or >= 0xFDD0 and <= 0xFDEF or >= 0xD800 and <= 0xDFFF)
                return false;
        }
        return true;
    }
}
