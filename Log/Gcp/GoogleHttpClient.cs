namespace RekorPosix.Log.Gcp;

/// <summary>The HTTP client for Google's REST endpoints (token endpoint, metadata server, GCS).</summary>
internal static class GoogleHttpClient
{
    /// <summary>No client-wide timeout: each call sets its own, answer included. Pooled connections
    /// are renewed so that a changed DNS answer for an endpoint is seen; no automatic
    /// decompression, so an object's bytes arrive as stored.</summary>
    public static HttpClient Create() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
}
