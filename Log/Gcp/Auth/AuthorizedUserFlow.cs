namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// A user's refresh token (what <c>gcloud auth application-default login</c> writes) exchanged
/// for an access token at Google's token endpoint (spec gcp-spanner-flavour.md §7.3).
/// </summary>
internal sealed class AuthorizedUserFlow : ITokenFlow
{
    private readonly HttpClient _http;
    private readonly AuthSettings _settings;
    private readonly Uri _tokenUri;
    private readonly KeyValuePair<string, string>[] _grant;

    public AuthorizedUserFlow(CredentialFile file, string source, HttpClient http, AuthSettings settings)
    {
        Source = source;
        _grant =
        [
            new("grant_type", "refresh_token"),
            new("client_id", Required(file.ClientId, "client_id", source)),
            new("client_secret", Required(file.ClientSecret, "client_secret", source)),
            new("refresh_token", Required(file.RefreshToken, "refresh_token", source)),
        ];
        // gcloud's files carry no token_uri; a test's fake endpoint does.
        _tokenUri = ServiceAccountFlow.TokenUri(file.TokenUri, source);
        _http = http;
        _settings = settings;
    }

    public string Source { get; }

    public Task<AccessToken> FetchAsync(CancellationToken cancel) =>
        TokenEndpointCall.SendAsync(_http, () => new HttpRequestMessage(HttpMethod.Post, _tokenUri)
        {
            Content = new FormUrlEncodedContent(_grant),
        }, Source, _settings.CallTimeout, cancel);

    private static string Required(string? value, string field, string source) =>
        value is { Length: > 0 } ? value : throw new CredentialsException($"{source}: an authorized_user file without {field}");
}
