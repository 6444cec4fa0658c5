using System.Globalization;

namespace RekorPosix.Log.Entries;

/// <summary>
/// Reads a JSON number as an int32 the way Go's protojson does for enum numbers: any spelling of an
/// integer is fine ("5", "5.0", "0.5e1", "50e-1", "-0"), fractions and out-of-range values are not.
/// </summary>
internal static class ProtoJsonInteger
{
    /// <summary>Go caps the digits it will build at the width of a uint64.</summary>
    private const int MaxDigits = 20;

    /// <param name="number">The raw bytes of a JSON number token (already valid JSON).</param>
    public static bool TryParseInt32(ReadOnlySpan<byte> number, out int value)
    {
        value = 0;
        var at = 0;
        var negative = number[0] == (byte)'-';
        if (negative)
            at++;

        // A leading "0" is not kept: the integer part is then empty.
        var integerStart = at;
        if (number[at] == (byte)'0')
        {
            at++;
            integerStart = at;
        }
        while (at < number.Length && char.IsAsciiDigit((char)number[at]))
            at++;
        var integerPart = number[integerStart..at];

        var fraction = ReadOnlySpan<byte>.Empty;
        if (at < number.Length && number[at] == (byte)'.')
        {
            var fractionStart = ++at;
            while (at < number.Length && char.IsAsciiDigit((char)number[at]))
                at++;
            fraction = number[fractionStart..at].TrimEnd((byte)'0');
        }

        var exponent = 0;
        if (at < number.Length && (number[at] | 0x20) == (byte)'e')
        {
            if (!int.TryParse(number[(at + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
                return false;
        }

        if (!TryShift(integerPart, fraction, exponent, out var digits))
            return false;
        if (digits.Length == 0)
            return true;
        var text = (negative ? "-" : "") + digits;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Moves the decimal point by the exponent; false if a non-zero digit ends up after it.</summary>
    private static bool TryShift(ReadOnlySpan<byte> integerPart, ReadOnlySpan<byte> fraction, int exponent, out string digits)
    {
        digits = "";
        if (integerPart.IsEmpty && fraction.IsEmpty)
            return true;
        if (exponent >= 0)
        {
            if (fraction.Length > exponent || integerPart.Length + exponent > MaxDigits)
                return false;
            digits = string.Concat(Ascii(integerPart), Ascii(fraction), new string('0', exponent - fraction.Length));
            return true;
        }
        if (!fraction.IsEmpty)
            return false;
        var point = integerPart.Length + exponent;
        if (point < 0 || integerPart[point..].IndexOfAnyExcept((byte)'0') >= 0)
            return false;
        digits = Ascii(integerPart[..point]);
        return true;
    }

    private static string Ascii(ReadOnlySpan<byte> digits) => System.Text.Encoding.ASCII.GetString(digits);
}
