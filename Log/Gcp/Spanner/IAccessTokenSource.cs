namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// OAuth 2.0 access tokens for Google APIs, sent as <c>authorization: Bearer</c> on every call to
/// production Spanner (spec gcp-spanner-flavour.md §6.2, §7). The Application Default Credentials
/// flows implement it; scope <c>https://www.googleapis.com/auth/spanner.data</c> and
/// <c>…/spanner.admin</c>, or <c>…/cloud-platform</c> for both.
/// </summary>
internal interface IAccessTokenSource
{
    /// <summary>A token valid for at least the next minute, fetched or refreshed as needed.</summary>
    ValueTask<string> GetAccessTokenAsync(CancellationToken cancel);

    /// <summary>A token other than <paramref name="rejected"/>, which an API answered with 401
    /// although it looked valid here (revoked, or this machine's clock is behind): fetched anew
    /// unless another caller has done so already. A source that cannot refresh gives its token.</summary>
    ValueTask<string> GetFreshAccessTokenAsync(string rejected, CancellationToken cancel) => GetAccessTokenAsync(cancel);

    /// <summary>The project the credentials bill API quota to (a credentials file's
    /// <c>quota_project_id</c>), sent as <c>x-goog-user-project</c>; null when they name none.</summary>
    string? QuotaProject => null;
}
