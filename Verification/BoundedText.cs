using System.Text;

namespace RekorPosix.Verification;

/// <summary>
/// Text that came from the log (an origin, a certificate's identity, an HTTP reason phrase, a
/// parser's complaint quoting it) made safe to print: cut to a length, control characters shown
/// as U+XXXX, so that a hostile log cannot flood or forge the monitor's output lines.
/// </summary>
internal static class BoundedText
{
    public const int DefaultLimit = 200;

    public static string Of(string? text, int limit = DefaultLimit)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var bounded = new StringBuilder(Math.Min(text.Length, limit) + 8);
        foreach (char c in text)
        {
            if (bounded.Length >= limit)
                return bounded.Append('…').ToString();
            if (char.IsControl(c))
                bounded.Append($"U+{(int)c:X4}");
            else
                bounded.Append(c);
        }
        return bounded.ToString();
    }
}
