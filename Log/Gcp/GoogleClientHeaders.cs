using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using RekorPosix.Http;

namespace RekorPosix.Log.Gcp;

/// <summary>
/// What Google's own clients send on every Spanner and GCS call to say who calls and who pays
/// (spec gcp-spanner-flavour.md §2.3, §6.2, §7.3): a user agent naming this binary (as rekor-tiles
/// names itself), <c>x-goog-api-client</c> as space-separated name/version pairs
/// (https://cloud.google.com/dotnet/docs/reference/Google.Api.Gax/latest/Google.Api.Gax.VersionHeaderBuilder),
/// and <c>x-goog-user-project</c> with the credentials' quota project
/// (https://cloud.google.com/docs/quotas/set-quota-project).
/// </summary>
internal static class GoogleClientHeaders
{
    public const string UserAgentHeader = "user-agent";
    public const string ApiClientHeader = "x-goog-api-client";
    public const string UserProjectHeader = "x-goog-user-project";

    /// <summary><c>rekor-server-gcp/&lt;version&gt; (&lt;runtime identifier&gt;)</c>.</summary>
    public static string UserAgent { get; } = $"{Client} ({RuntimeInformation.RuntimeIdentifier})";

    /// <summary><c>gl-dotnet/&lt;.NET version&gt; rekor-server-gcp/&lt;version&gt;</c>: neither
    /// part may hold a space.</summary>
    public static string ApiClient { get; } = $"gl-dotnet/{Environment.Version} {Client}";

    private static string Client => $"rekor-server-{Flavour.Name}/{BuildInfo.Version.Replace(' ', '_')}";

    /// <summary>The three on a request to a REST endpoint; the quota project only when there is one.</summary>
    public static void AddTo(HttpRequestHeaders headers, string? quotaProject)
    {
        headers.TryAddWithoutValidation(UserAgentHeader, UserAgent);
        headers.TryAddWithoutValidation(ApiClientHeader, ApiClient);
        if (quotaProject is not null)
            headers.TryAddWithoutValidation(UserProjectHeader, quotaProject);
    }
}
