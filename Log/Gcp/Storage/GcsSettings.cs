namespace RekorPosix.Log.Gcp.Storage;

/// <summary>Timeouts, retries and limits of the GCS client. Every call has a timeout: a store that
/// stops answering fails the operation instead of hanging it.</summary>
internal sealed record GcsSettings
{
    /// <summary>One HTTP exchange, the answer's body included.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Tries of an idempotent call that gets 408, 429, 5xx, a timeout or a network error
    /// (spec gcp-spanner-flavour.md §5.5); a non-idempotent call is tried once.</summary>
    public int Attempts { get; init; } = 5;

    /// <summary>The wait before the second try, doubled before each further one up to
    /// <see cref="MaxBackoff"/>, each wait jittered (Go's policy starts at 1 s; the integration's
    /// 10 s budget wants less).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Largest object read: an entry bundle of 256 entries of up to 64 KiB is 16 MiB.</summary>
    public int MaxObjectBytes { get; init; } = 64 << 20;

    /// <summary>Names per list page (the API's maximum is 1000).</summary>
    public int ListPageSize { get; init; } = 1000;
}
