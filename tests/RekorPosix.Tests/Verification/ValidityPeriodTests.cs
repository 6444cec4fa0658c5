using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class ValidityPeriodTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2025, 12, 31, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Contains_IncludesBothEnds()
    {
        var period = new ValidityPeriod(Start, End);
        Assert.True(period.Contains(Start));
        Assert.True(period.Contains(End));
        Assert.False(period.Contains(Start.AddTicks(-1)));
        Assert.False(period.Contains(End.AddTicks(1)));
    }

    [Fact]
    public void Contains_WithoutEnds_IsOpen()
    {
        Assert.True(new ValidityPeriod(null, null).Contains(DateTimeOffset.MinValue));
        Assert.True(new ValidityPeriod(Start, null).Contains(DateTimeOffset.MaxValue));
        Assert.True(new ValidityPeriod(null, End).Contains(DateTimeOffset.MinValue));
    }

    [Fact]
    public void ToString_SaysTheRange()
    {
        Assert.Equal("2025-01-01 00:00:00Z to now", new ValidityPeriod(Start, null).ToString());
        Assert.Equal("any time to 2025-12-31 00:00:00Z", new ValidityPeriod(null, End).ToString());
    }
}
