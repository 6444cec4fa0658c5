using System.Security.Cryptography;

namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// A service account's key exchanged for a token: a signed JWT posted to the file's
/// <c>token_uri</c> as an RFC 7523 bearer grant (spec gcp-spanner-flavour.md §7.2).
/// </summary>
internal sealed class ServiceAccountFlow : ITokenFlow, IDisposable
{
    public const string DefaultTokenUri = "https://oauth2.googleapis.com/token";
    private const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly AuthSettings _settings;
    private readonly string _clientEmail;
    private readonly string? _keyId;
    private readonly RSA _key;
    private readonly Uri _tokenUri;
    private readonly string _scope;

    /// <summary>Checks the file's fields and imports its key; <paramref name="source"/> names the
    /// file in every message.</summary>
    public ServiceAccountFlow(CredentialFile file, string source, string scope, HttpClient http, TimeProvider clock, AuthSettings settings)
    {
        Source = source;
        _clientEmail = file.ClientEmail is { Length: > 0 } email ? email : throw new CredentialsException($"{source}: a service_account file without client_email");
        _keyId = file.PrivateKeyId;
        _tokenUri = TokenUri(file.TokenUri, source);
        _key = ImportKey(file.PrivateKey, source);
        _scope = scope;
        _http = http;
        _clock = clock;
        _settings = settings;
    }

    public string Source { get; }

    public Task<AccessToken> FetchAsync(CancellationToken cancel)
    {
        string assertion = ServiceAccountJwt.Create(_clientEmail, _keyId, _key, _scope, _clock.GetUtcNow());
        return TokenEndpointCall.SendAsync(_http, () => new HttpRequestMessage(HttpMethod.Post, _tokenUri)
        {
            Content = new FormUrlEncodedContent([new("grant_type", JwtBearerGrant), new("assertion", assertion)]),
        }, $"{Source} ({_clientEmail})", _settings.CallTimeout, cancel);
    }

    public void Dispose() => _key.Dispose();

    internal static Uri TokenUri(string? configured, string source) =>
        string.IsNullOrEmpty(configured) ? new Uri(DefaultTokenUri)
        : Uri.TryCreate(configured, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? uri
        : throw new CredentialsException($"{source}: token_uri '{Verification.BoundedText.Of(configured, 100)}' is not an http(s) URL");

    /// <summary>The PKCS#8 PEM of the file; the exception says what is wrong, never what the key is.</summary>
    private static RSA ImportKey(string? pem, string source)
    {
        if (string.IsNullOrEmpty(pem))
            throw new CredentialsException($"{source}: a service_account file without private_key");
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new CredentialsException($"{source}: private_key is not a PEM-encoded RSA private key");
        }
    }
}
