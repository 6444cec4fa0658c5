using System.Net;

namespace RekorPosix.Http.TileServer;

/// <summary>Where and how the tile listener runs (<c>--tiles-*</c> flags).</summary>
internal sealed record TileListenerOptions
{
    public const int DefaultPort = 3002;
    public const int DefaultMaxConnections = 10_000;
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(30);

    public required IPEndPoint EndPoint { get; init; }
    /// <summary>Event-loop threads; each accepts and serves its own connections.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
    /// <summary>Connections beyond this are reset as soon as they are accepted.</summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;
    /// <summary>Longest a keep-alive connection may sit idle, a request head may take to arrive
    /// (counted from its first byte, so trickling bytes does not extend it), or a response may
    /// wait for the client to read.</summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;
    public TileListenerLimits Limits { get; init; } = TileListenerLimits.Default;
}
