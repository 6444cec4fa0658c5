namespace RekorPosix.Verification;

/// <summary>A trusted-root <c>validFor</c> range: from <see cref="Start"/> on, until <see cref="End"/> if there is one.</summary>
public sealed record ValidityPeriod(DateTimeOffset? Start, DateTimeOffset? End)
{
    public bool Contains(DateTimeOffset time) => (Start is not { } start || time >= start) && (End is not { } end || time <= end);

    public override string ToString() => $"{Start?.ToString("u") ?? "any time"} to {End?.ToString("u") ?? "now"}";
}
