namespace RekorPosix.Log.Witnessing;

/// <summary>How long a publication waits for its witnesses, and what happens without a quorum.</summary>
public sealed record WitnessingOptions
{
    /// <summary>rekor-tiles gives its witnesses 5 s per checkpoint.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>False (rekor-tiles' behaviour): publish with what arrived and warn. True: publish
    /// nothing until the quorum cosigns.</summary>
    public bool FailClosed { get; init; }
}
