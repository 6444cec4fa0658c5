using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// Spanner's TIMESTAMP text: RFC 3339 in UTC with a literal 'Z' and 0-9 fractional digits; an
/// offset such as +01:00 is refused by Spanner (spec gcp-spanner-flavour.md §6.5, pitfall 7).
/// Nanoseconds survive the round trip, which DateTime's 100 ns ticks would not.
/// </summary>
internal static partial class SpannerTimestamps
{
    /// <summary>The shortest exact form: no fraction when whole, else up to 9 digits.</summary>
    public static string Format(Timestamp timestamp)
    {
        if (timestamp.Nanos is < 0 or > 999_999_999)
            throw new ArgumentOutOfRangeException(nameof(timestamp), $"nanos {timestamp.Nanos} is not in 0..999999999");
        string whole = DateTimeOffset.FromUnixTimeSeconds(timestamp.Seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return timestamp.Nanos == 0
            ? whole + "Z"
            : whole + "." + timestamp.Nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0') + "Z";
    }

    /// <summary>Parses Spanner's form strictly; <see cref="FormatException"/> otherwise.</summary>
    public static Timestamp Parse(string text)
    {
        var match = Rfc3339Utc().Match(text);
        if (!match.Success || !DateTime.TryParseExact(match.Groups["whole"].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var whole))
            throw new FormatException($"'{Verification.BoundedText.Of(text)}' is not a Spanner TIMESTAMP (RFC 3339 in UTC ending in Z, e.g. 2026-12-06T12:00:00.123456789Z)");
        string fraction = match.Groups["fraction"].Value;
        int nanos = fraction.Length == 0 ? 0 : int.Parse(fraction.PadRight(9, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
        return new Timestamp { Seconds = new DateTimeOffset(whole, TimeSpan.Zero).ToUnixTimeSeconds(), Nanos = nanos };
    }

    [GeneratedRegex(@"^(?<whole>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.(?<fraction>[0-9]{1,9}))?Z$")]
    private static partial Regex Rfc3339Utc();
}
