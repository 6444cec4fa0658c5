using System.Formats.Asn1;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// Validity times as Go's cryptobyte reads them: UTCTime <c>YYMMDDhhmm[ss](Z|±hhmm)</c> and
/// GeneralizedTime <c>YYYYMMDDhhmmss[.f{1,9}](Z|±hhmm)</c>, with real calendar dates and nothing Go would
/// re-format differently (no trailing fraction zeros, no "+0000" in place of "Z").
/// </summary>
internal static class Asn1Times
{
    public static bool IsValid(Asn1Tag tag, ReadOnlyMemory<byte> encoded)
    {
        if (tag.TagClass != TagClass.Universal || tag.IsConstructed)
            return false;
        AsnDecoder.ReadEncodedValue(encoded.Span, AsnEncodingRules.DER, out var offset, out var length, out _);
        var text = encoded.Span.Slice(offset, length);
        return (UniversalTagNumber)tag.TagValue switch
        {
            UniversalTagNumber.UtcTime => IsValidUtcTime(text),
            UniversalTagNumber.GeneralizedTime => IsValidGeneralizedTime(text),
            _ => false,
        };
    }

    private static bool IsValidUtcTime(ReadOnlySpan<byte> text)
    {
        if (!TryDigits(text, 0, 2, out var yy))
            return false;
        // Go's two-digit year pivot; only matters here for February 29th.
        var year = yy >= 69 ? 1900 + yy : 2000 + yy;
        // Seconds first, then Go's minute-precision fallback.
        return IsValidDateTime(text[2..], year, withSeconds: true, out var rest) && IsValidZone(rest)
            || IsValidDateTime(text[2..], year, withSeconds: false, out rest) && IsValidZone(rest);
    }

    private static bool IsValidGeneralizedTime(ReadOnlySpan<byte> text)
    {
        if (!TryDigits(text, 0, 4, out var year) || !IsValidDateTime(text[4..], year, withSeconds: true, out var rest))
            return false;
        if (!rest.IsEmpty && rest[0] == (byte)'.')
        {
            var digits = 0;
            while (digits + 1 < rest.Length && char.IsAsciiDigit((char)rest[digits + 1]))
                digits++;
            if (digits is 0 or > 9 || rest[digits] == (byte)'0')
                return false;
            rest = rest[(digits + 1)..];
        }
        return IsValidZone(rest);
    }

    /// <summary>MMDDhhmm[ss] with real ranges; <paramref name="rest"/> is what follows.</summary>
    private static bool IsValidDateTime(ReadOnlySpan<byte> text, int year, bool withSeconds, out ReadOnlySpan<byte> rest)
    {
        rest = default;
        var length = withSeconds ? 10 : 8;
        if (!TryDigits(text, 0, 2, out var month) || !TryDigits(text, 2, 2, out var day)
            || !TryDigits(text, 4, 2, out var hour) || !TryDigits(text, 6, 2, out var minute))
            return false;
        var second = 0;
        if (withSeconds && !TryDigits(text, 8, 2, out second))
            return false;
        if (month is < 1 or > 12 || day < 1 || day > DaysIn(year, month) || hour > 23 || minute > 59 || second > 59)
            return false;
        rest = text[length..];
        return true;
    }

    /// <summary>"Z", or a non-zero offset ±hhmm (Go writes a zero offset back as "Z").</summary>
    private static bool IsValidZone(ReadOnlySpan<byte> zone)
    {
        if (zone.Length == 1)
            return zone[0] == (byte)'Z';
        if (zone.Length != 5 || zone[0] is not ((byte)'+' or (byte)'-'))
            return false;
        return TryDigits(zone, 1, 2, out var hours) && TryDigits(zone, 3, 2, out var minutes)
            && hours <= 23 && minutes <= 59 && hours + minutes > 0;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        if (text.Length < start + count)
            return false;
        foreach (var b in text.Slice(start, count))
        {
            if (!char.IsAsciiDigit((char)b))
                return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    /// <summary>Proleptic Gregorian, year 0 included (DateTime starts at year 1).</summary>
    private static int DaysIn(int year, int month)
    {
        var leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        return month == 2 ? (leap ? 29 : 28) : month is 4 or 6 or 9 or 11 ? 30 : 31;
    }
}
