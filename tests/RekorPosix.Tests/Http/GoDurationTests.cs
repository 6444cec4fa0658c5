using RekorPosix.Http;

namespace RekorPosix.Tests.Http;

public class GoDurationTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("250ms", 250)]
    [InlineData("100ms", 100)]
    [InlineData("1m", 60_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0", 0)]
    [InlineData("-2s", -2_000)]
    [InlineData("1m0.5s", 60_500)]
    [InlineData("1000us", 1)]
    [InlineData("1000000ns", 1)]
    public void Parses(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("10x")]
    [InlineData("1.2.3s")]
    [InlineData(".s")]
    [InlineData("10 s")]
    [InlineData("99999999999999999999h")]
    public void RejectsWithAReason(string text)
    {
        var error = Assert.Throws<FormatException>(() => GoDuration.Parse(text));
        Assert.Contains(text, error.Message);
    }

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(250, "250ms")]
    [InlineData(90_000, "1m30s")]
    public void FormatsLikeGo(long milliseconds, string text)
    {
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
