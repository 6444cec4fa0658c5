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
}
