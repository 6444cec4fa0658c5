using System.Globalization;

namespace RekorPosix.Http;

/// <summary>
/// Go's time.ParseDuration syntax, which rekor-tiles' flags use: a sequence of decimal numbers
/// with units ns, us (or µs), ms, s, m, h, e.g. <c>10s</c>, <c>250ms</c>, <c>1h30m</c>, <c>1.5s</c>;
/// an optional sign; <c>0</c> alone needs no unit.
/// </summary>
public static class GoDuration
{
    public static TimeSpan Parse(string text)
    {
        if (!TryParse(text, out var value, out string? error))
            throw new FormatException($"invalid duration \"{text}\": {error}");
        return value;
    }

    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        ReadOnlySpan<char> s = text;
        bool negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.SequenceEqual("0"))
            return true;
        if (s.IsEmpty)
        {
            error = "empty";
            return false;
        }
        decimal totalNanos = 0;
        while (!s.IsEmpty)
        {
            int numberEnd = 0;
            while (numberEnd < s.Length && (char.IsAsciiDigit(s[numberEnd]) || s[numberEnd] == '.'))
                numberEnd++;
            if (numberEnd == 0 || !decimal.TryParse(s[..numberEnd], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number)
                || s[..numberEnd].SequenceEqual("."))
            {
                error = "expected a number";
                return false;
            }
            s = s[numberEnd..];
            int unitEnd = 0;
            while (unitEnd < s.Length && !char.IsAsciiDigit(s[unitEnd]) && s[unitEnd] != '.')
                unitEnd++;
            decimal? nanosPerUnit = s[..unitEnd] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60m * 1_000_000_000m,
                "h" => 3600m * 1_000_000_000m,
                "" => null,
                _ => null,
            };
            if (nanosPerUnit is null)
            {
                error = unitEnd == 0 ? "missing unit" : $"unknown unit \"{s[..unitEnd]}\"";
                return false;
            }
            s = s[unitEnd..];
            try
            {
                totalNanos += number * nanosPerUnit.Value;
            }
            catch (OverflowException)
            {
                error = "too large";
                return false;
            }
        }
        // Go durations are int64 nanoseconds; TimeSpan ticks are 100 ns.
        if (totalNanos > long.MaxValue)
        {
            error = "too large";
            return false;
        }
        long ticks = (long)(totalNanos / 100m);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Formats a duration the way Go prints it (e.g. <c>10s</c>, <c>250ms</c>, <c>1m30s</c>) for help texts.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
            return "0s";
        if (value < TimeSpan.FromSeconds(1))
            return $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        string result = "";
        if (value.Hours + value.Days * 24 > 0)
            result += $"{value.Hours + value.Days * 24}h";
        if (value.Minutes > 0)
            result += $"{value.Minutes}m";
        double seconds = value.Seconds + value.Milliseconds / 1000.0;
        if (seconds > 0 || result.Length == 0)
            result += $"{seconds.ToString(CultureInfo.InvariantCulture)}s";
        return result;
    }
}
