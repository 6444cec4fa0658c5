namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// The default service account's token from the metadata server of GCE, GKE or Cloud Run
/// (spec gcp-spanner-flavour.md §7.4): a GET with <c>Metadata-Flavor: Google</c>, at
/// <c>GCE_METADATA_HOST</c> when set, else 169.254.169.254 (what metadata.google.internal is).
/// </summary>
internal sealed class MetadataServerFlow(Uri server, string scope, HttpClient http, AuthSettings settings) : ITokenFlow
{
    public const string HostVariable = "GCE_METADATA_HOST";
    public const string DefaultHost = "169.254.169.254";
    private const string FlavorHeader = "Metadata-Flavor";
    private const string TokenPath = "computeMetadata/v1/instance/service-accounts/default/token";

    public string Source => $"the metadata server at {server.Authority}";

    /// <summary>http://host[:port]/ from <c>GCE_METADATA_HOST</c> (host:port, no scheme) or the default.</summary>
    public static Uri ServerFrom(string? hostVariable)
    {
        string host = string.IsNullOrEmpty(hostVariable) ? DefaultHost : hostVariable;
        return Uri.TryCreate("http://" + host + "/", UriKind.Absolute, out var uri) && uri.AbsolutePath == "/" && !host.Contains('/')
            ? uri
            : throw new CredentialsException($"{HostVariable}='{Verification.BoundedText.Of(host, 100)}' is not host[:port]");
    }

    public Task<AccessToken> FetchAsync(CancellationToken cancel) =>
        TokenEndpointCall.SendAsync(http, () => Get(new Uri(server, TokenPath + "?scopes=" + ScopesParameter(scope))), Source, settings.CallTimeout, cancel);

    /// <summary>The metadata server takes scopes comma-separated, a JWT space-separated.</summary>
    private static string ScopesParameter(string scope) =>
        string.Join(',', scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));

    /// <summary>Whether a metadata server answers at <paramref name="server"/>: it must say
    /// <c>Metadata-Flavor: Google</c> in its answer, so that some other service on that address
    /// is not taken for one.</summary>
    public static async Task<bool> ProbeAsync(Uri server, HttpClient http, TimeSpan timeout, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = Get(server);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            return response.Headers.TryGetValues(FlavorHeader, out var values) && values.Contains("Google");
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
        {
            return false;
        }
    }

    private static HttpRequestMessage Get(Uri uri)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Add(FlavorHeader, "Google");
        return request;
    }
}
