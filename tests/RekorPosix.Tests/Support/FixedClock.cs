namespace RekorPosix.Tests.Support;

/// <summary>A clock whose wall time stays where the test puts it.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
