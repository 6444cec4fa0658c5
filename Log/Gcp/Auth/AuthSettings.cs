namespace RekorPosix.Log.Gcp.Auth;

/// <summary>Timeouts and the refresh margin of the token sources.</summary>
internal sealed record AuthSettings
{
    /// <summary>Each call to a token endpoint or the metadata server, answer included.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The metadata-server probe when no credentials file exists: short, so that a
    /// machine without Google credentials fails at once instead of after a long wait (§7.4).</summary>
    public TimeSpan MetadataProbeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A token is replaced this long before it expires (Google's libraries refresh minutes
    /// early), or halfway through its life when that is shorter.</summary>
    public TimeSpan RefreshMargin { get; init; } = TimeSpan.FromMinutes(5);
}
