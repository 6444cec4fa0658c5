using Google.Protobuf.WellKnownTypes;
using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Spanner's TIMESTAMP text (spec gcp-spanner-flavour.md §6.5, pitfall 7): known answers.</summary>
public sealed class SpannerTimestampsTests
{
    [Theory]
    [InlineData(0L, 0, "1970-01-01T00:00:00Z")]
    [InlineData(1796558400L, 500_000_000, "2026-12-06T12:00:00.5Z")]
    [InlineData(1796558400L, 1, "2026-12-06T12:00:00.000000001Z")]
    [InlineData(1796558400L, 123456789, "2026-12-06T12:00:00.123456789Z")]
    [InlineData(-62135596800L, 0, "0001-01-01T00:00:00Z")]
    [InlineData(253402300799L, 999_999_999, "9999-12-31T23:59:59.999999999Z")]
    public void Format_AndParse_AreExactInverses(long seconds, int nanos, string text)
    {
        var timestamp = new Timestamp { Seconds = seconds, Nanos = nanos };

        Assert.Equal(text, SpannerTimestamps.Format(timestamp));
        Assert.Equal(timestamp, SpannerTimestamps.Parse(text));
    }

    [Fact]
    public void Parse_TakesAnyNumberOfFractionDigits()
    {
        // Spanner returns the precision written: 2026-12-06T12:24:38.983998Z came back from a commit.
        Assert.Equal(new Timestamp { Seconds = 1796558400, Nanos = 983_998_000 }, SpannerTimestamps.Parse("2026-12-06T12:00:00.983998Z"));
        Assert.Equal(new Timestamp { Seconds = 1796558400, Nanos = 100_000_000 }, SpannerTimestamps.Parse("2026-12-06T12:00:00.1Z"));
    }

    [Theory]
    [InlineData("2026-12-06T12:00:00+01:00")]
    [InlineData("2026-12-06T12:00:00z")]
    [InlineData("2026-12-06 12:00:00Z")]
    [InlineData("2026-12-06T12:00:00.1234567890Z")]
    [InlineData("2026-12-06T12:00:00.Z")]
    [InlineData("2026-13-06T12:00:00Z")]
    [InlineData("2026-12-06T24:00:00Z")]
    [InlineData("")]
    public void Parse_RefusesWhatSpannerRefuses(string text)
    {
        var error = Assert.Throws<FormatException>(() => SpannerTimestamps.Parse(text));

        Assert.Contains("TIMESTAMP", error.Message);
    }

    [Fact]
    public void Format_RefusesNanosOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SpannerTimestamps.Format(new Timestamp { Seconds = 0, Nanos = 1_000_000_000 }));
}
