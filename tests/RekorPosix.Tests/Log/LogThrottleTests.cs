using RekorPosix.Log;

namespace RekorPosix.Tests.Log;

public class LogThrottleTests
{
    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void TryPass_LetsTheFirstThrough_AndHoldsBackTheRestOfTheInterval()
    {
        var clock = new ManualClock();
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), clock);
        Assert.True(throttle.TryPass(out int heldBack));
        Assert.Equal(0, heldBack);
        for (int i = 0; i < 1000; i++)
        {
            clock.Ticks += TimeSpan.TicksPerMillisecond;
            Assert.False(throttle.TryPass(out _));
        }
    }

    [Fact]
    public void TryPass_AfterTheInterval_PassesAndCountsWhatWasHeldBack()
    {
        var clock = new ManualClock();
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), clock);
        throttle.TryPass(out _);
        for (int i = 0; i < 5; i++)
            throttle.TryPass(out _);
        clock.Ticks += TimeSpan.FromSeconds(10).Ticks;
        Assert.True(throttle.TryPass(out int heldBack));
        Assert.Equal(5, heldBack);
        clock.Ticks += TimeSpan.FromSeconds(10).Ticks;
        Assert.True(throttle.TryPass(out heldBack));
        Assert.Equal(0, heldBack);
    }
}
