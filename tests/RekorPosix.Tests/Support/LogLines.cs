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

    private static string Shorten(string line) => line.Length <= 400 ? line : line[..400] + "…";
}
