using System.Globalization;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>
/// The mark of a frozen log (rekor-v2-api.md §7): one checkpoint extension line
/// <c>Log frozen — &lt;UTC time in Go's UnixDate layout&gt;</c>, as rekor-tiles' freeze-checkpoint
/// writes it. A checkpoint carrying it promises that no larger checkpoint will ever follow.
/// </summary>
public static class FrozenCheckpoint
{
    /// <summary>What rekor-tiles looks for; the dash is U+2014 EM DASH.</summary>
    public const string Marker = "Log frozen \u2014 ";

    public static string Line(DateTimeOffset when) => Marker + GoUnixDate(when);

    /// <summary>rekor-tiles' test: any text after the three header lines that contains the marker.</summary>
    public static bool IsFrozen(Checkpoint checkpoint) =>
        checkpoint.Extensions.Any(line => line.Contains(Marker, StringComparison.Ordinal));

    /// <summary>The extension line that froze the log, or null.</summary>
    public static string? FrozenLine(Checkpoint checkpoint) =>
        checkpoint.Extensions.FirstOrDefault(line => line.Contains(Marker, StringComparison.Ordinal));

    /// <summary>Go's <c>time.UnixDate</c>, "Mon Jan _2 15:04:05 MST 2006", in UTC: the day of the
    /// month is padded with a space, not a zero.</summary>
    public static string GoUnixDate(DateTimeOffset when)
    {
        var utc = when.ToUniversalTime();
        return string.Create(CultureInfo.InvariantCulture,
            $"{utc:ddd MMM} {utc.Day,2} {utc:HH:mm:ss} UTC {utc:yyyy}");
    }
}
