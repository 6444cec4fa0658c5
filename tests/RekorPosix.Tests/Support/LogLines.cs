using RekorPosix.Log;

namespace RekorPosix.Tests.Support;

/// <summary>Checks on the console lines of a <see cref="ServerProcess"/> (the simple console
/// format, one line per event: "warn: Category[id] message").</summary>
public static class LogLines
{
    /// <summary>The lines at warning level or above.</summary>
    public static string[] WarningsOrWorse(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("warn:", StringComparison.Ordinal) || l.StartsWith("fail:", StringComparison.Ordinal)
            || l.StartsWith("crit:", StringComparison.Ordinal)).ToArray();

    /// <summary>No line carries an exception's stack trace, and none is longer than <paramref name="maxLength"/>.</summary>
    public static void AssertShortWithoutStackTraces(IReadOnlyList<string> lines, int maxLength = 300)
    {
        foreach (string line in lines)
        {
            Assert.False(line.Contains(" at ", StringComparison.Ordinal) && line.Contains("Exception", StringComparison.Ordinal),
                $"a stack trace in the log: {Shorten(line)}");
            Assert.True(line.Length <= maxLength, $"a line of {line.Length} characters: {Shorten(line)}");
        }
    }

    /// <summary>
    /// What a client can cause at will was logged short, without stack traces, as at least one and at
    /// most one warning per 10 s interval (LogThrottle), each containing <paramref name="text"/>. The
    /// time spent sending only widens the bound, so a slow machine cannot fail it.
    /// </summary>
    public static void AssertThrottledWarnings(IReadOnlyList<string> lines, TimeSpan sending, string text)
    {
        AssertShortWithoutStackTraces(lines);
        var warnings = WarningsOrWorse(lines);
        int allowed = 1 + (int)(sending.TotalSeconds / 10);
        Assert.True(warnings.Length >= 1 && warnings.Length <= allowed, $"{warnings.Length} warnings:\n" + string.Join('\n', warnings));
        Assert.All(warnings, w => Assert.Contains(text, w));
    }

    private static string Shorten(string line) => line.Length <= 400 ? line : line[..400] + "…";
}
