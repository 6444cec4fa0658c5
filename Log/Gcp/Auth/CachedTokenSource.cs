using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// Tokens from one <see cref="ITokenFlow"/>, kept until shortly before they expire
/// (<see cref="AuthSettings.RefreshMargin"/>) and fetched by one caller at a time: callers that
/// arrive during a refresh wait for its token instead of asking the endpoint again. A failed
/// fetch is not remembered; the next caller tries again.
/// </summary>
internal sealed class CachedTokenSource(ITokenFlow flow, TimeProvider clock, AuthSettings settings) : IAccessTokenSource, IDisposable
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile Cached? _current;

    private sealed record Cached(string Value, DateTimeOffset RefreshAt);

    /// <summary>Where the tokens come from, for start-up logs and messages.</summary>
    public string Source => flow.Source;

    /// <summary>The credentials file's <c>quota_project_id</c>; null without one (and from the
    /// metadata server, whose service account's own project pays).</summary>
    public string? QuotaProject { get; init; }

    public ValueTask<string> GetAccessTokenAsync(CancellationToken cancel) =>
        _current is { } cached && clock.GetUtcNow() < cached.RefreshAt
            ? ValueTask.FromResult(cached.Value)
            : new ValueTask<string>(RefreshAsync(rejected: null, cancel));

    public ValueTask<string> GetFreshAccessTokenAsync(string rejected, CancellationToken cancel) =>
        new(RefreshAsync(rejected, cancel));

    private async Task<string> RefreshAsync(string? rejected, CancellationToken cancel)
    {
        await _refreshing.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            // A caller that waited here may find the token its predecessor fetched.
            if (_current is { } cached && cached.Value != rejected && clock.GetUtcNow() < cached.RefreshAt)
                return cached.Value;
            var askedAt = clock.GetUtcNow();
            var token = await flow.FetchAsync(cancel).ConfigureAwait(false);
            _current = new Cached(token.Value, askedAt + token.Lifetime - Margin(token.Lifetime));
            return token.Value;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>The configured margin, or half the lifetime of a token that lives shorter than
    /// twice that, so that a short-lived token is still used more than once.</summary>
    private TimeSpan Margin(TimeSpan lifetime) => settings.RefreshMargin < lifetime / 2 ? settings.RefreshMargin : lifetime / 2;

    public void Dispose()
    {
        _refreshing.Dispose();
        (flow as IDisposable)?.Dispose();
    }
}
