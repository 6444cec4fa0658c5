namespace RekorPosix.Http.TileServer;

/// <summary>
/// How much the tile listener accepts from a client. A read request needs a few hundred bytes;
/// these leave room for proxies and browsers that add headers, and no more.
/// </summary>
internal readonly record struct TileListenerLimits
{
    /// <summary>Longest request line, in bytes (414 beyond). A tile path is at most 60 bytes.</summary>
    public int MaxRequestLine { get; init; }
    /// <summary>Longest request head, request line included (431 beyond); also the input buffer.</summary>
    public int MaxHeadBytes { get; init; }
    /// <summary>Most header lines in one request (431 beyond).</summary>
    public int MaxHeaders { get; init; }

    public static TileListenerLimits Default { get; } = new()
    {
        MaxRequestLine = 2048,
        MaxHeadBytes = 8192,
        MaxHeaders = 64,
    };
}
