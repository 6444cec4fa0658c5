using RekorPosix.Log;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

public class FrozenCheckpointTests
{
    [Theory]
    [InlineData("2006-01-02T15:04:05Z", "Mon Jan  2 15:04:05 UTC 2006")]
    [InlineData("2026-11-29T23:59:59Z", "Sun Nov 29 23:59:59 UTC 2026")]
    [InlineData("2026-03-01T00:30:00+02:00", "Sat Feb 28 22:30:00 UTC 2026")]
    public void GoUnixDate_MatchesGosLayout_InUtc(string when, string expected)
    {
        Assert.Equal(expected, FrozenCheckpoint.GoUnixDate(DateTimeOffset.Parse(when, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Line_IsTheMarkerWithAnEmDash_ThenTheDate()
    {
        string line = FrozenCheckpoint.Line(new DateTimeOffset(2006, 1, 2, 15, 4, 5, TimeSpan.Zero));
        Assert.Equal("Log frozen \u2014 Mon Jan  2 15:04:05 UTC 2006", line);
    }

    [Fact]
    public void IsFrozen_LooksForTheMarkerInAnyExtensionLine()
    {
        var root = new byte[32];
        Assert.False(FrozenCheckpoint.IsFrozen(new Checkpoint("o", 1, root)));
        Assert.False(FrozenCheckpoint.IsFrozen(new Checkpoint("o", 1, root, ["Log frozen - ascii dash is not the mark"])));
        var frozen = new Checkpoint("o", 1, root, ["other", "Log frozen \u2014 Mon Jan  2 15:04:05 UTC 2006"]);
        Assert.True(FrozenCheckpoint.IsFrozen(frozen));
        Assert.Equal("Log frozen \u2014 Mon Jan  2 15:04:05 UTC 2006", FrozenCheckpoint.FrozenLine(frozen));
        Assert.True(FrozenCheckpoint.IsFrozen(Checkpoint.Parse(frozen.Format())));
    }
}
