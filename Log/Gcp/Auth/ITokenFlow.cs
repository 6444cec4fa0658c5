namespace RekorPosix.Log.Gcp.Auth;

/// <summary>One way of obtaining a token (service-account JWT, refresh token, metadata server),
/// called by <see cref="CachedTokenSource"/> only when its cached token is due for refresh.</summary>
internal interface ITokenFlow
{
    /// <summary>Where the credentials come from, for messages (never a secret).</summary>
    string Source { get; }

    Task<AccessToken> FetchAsync(CancellationToken cancel);
}
