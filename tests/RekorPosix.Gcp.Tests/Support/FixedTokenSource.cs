using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Support;

/// <summary>Always the same token: for tests that need a source but no token flow.</summary>
internal sealed class FixedTokenSource : IAccessTokenSource
{
    public ValueTask<string> GetAccessTokenAsync(CancellationToken cancel) => ValueTask.FromResult("token");

    public string? QuotaProject { get; init; }
}
