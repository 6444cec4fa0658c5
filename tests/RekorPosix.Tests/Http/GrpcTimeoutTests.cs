using RekorPosix.Http;

namespace RekorPosix.Tests.Http;

public class GrpcTimeoutTests
{
    [Theory]
    [InlineData("2H", 2 * TimeSpan.TicksPerHour)]
    [InlineData("3M", 3 * TimeSpan.TicksPerMinute)]
    [InlineData("20S", 20 * TimeSpan.TicksPerSecond)]
    [InlineData("150m", 150 * TimeSpan.TicksPerMillisecond)]
    [InlineData("7u", 70)]
    [InlineData("250n", 2)]
    [InlineData("1n", 0)]
    [InlineData("0S", 0)]
    [InlineData("99999999H", 99_999_999 * TimeSpan.TicksPerHour)]
    public void TryParse_ReadsEachUnit_RoundingDownToATick(string value, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("-1S")]
    [InlineData("1 S")]
    [InlineData("123456789S")]
    public void TryParse_RefusesWhatIsNotAGrpcTimeout(string? value)
    {
        Assert.False(GrpcTimeout.TryParse(value, out _));
    }
}
