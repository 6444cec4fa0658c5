using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Log.Gcp.Storage;

/// <summary>
/// Where the GCS JSON API is and how calls are authorised: Google's endpoint with a bearer token,
/// or the emulator (a fake GCS server) named by <c>STORAGE_EMULATOR_HOST</c> without credentials,
/// as Google's Go client does (spec gcp-spanner-flavour.md §7.1, §8.6). <see cref="Root"/> ends in
/// <c>/</c>; the API's paths (<c>storage/v1/…</c>, <c>upload/storage/v1/…</c>) go below it.
/// <see cref="QuotaProject"/>, when set, is sent as <c>x-goog-user-project</c> on every call.
/// </summary>
internal sealed record GcsEndpoint(Uri Root, IAccessTokenSource? Tokens, string? QuotaProject = null)
{
    public const string EmulatorVariable = "STORAGE_EMULATOR_HOST";

    /// <summary>Google's endpoint, with tokens from <paramref name="tokens"/> and the quota project
    /// of its credentials.</summary>
    public static GcsEndpoint Production(IAccessTokenSource tokens) => new(new Uri("https://storage.googleapis.com/"), tokens, tokens.QuotaProject);

    /// <summary><c>host:port</c>, or a URL with a scheme (Go's client accepts both; plain HTTP
    /// without a scheme).</summary>
    public static GcsEndpoint Emulator(string host)
    {
        string url = host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host;
        return Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var root) && root.Scheme is "http" or "https"
            && root.AbsolutePath == "/" && root.Query.Length == 0
            ? new GcsEndpoint(root, null)
            : throw new FormatException($"{EmulatorVariable}='{Verification.BoundedText.Of(host)}' is not host:port or http(s)://host:port");
    }

    /// <summary>The emulator when <c>STORAGE_EMULATOR_HOST</c> is set, else Google's endpoint with
    /// tokens from <paramref name="productionTokens"/> (called only then).</summary>
    public static GcsEndpoint FromEnvironment(Func<IAccessTokenSource> productionTokens) =>
        Environment.GetEnvironmentVariable(EmulatorVariable) is { Length: > 0 } emulator
            ? Emulator(emulator)
            : Production(productionTokens());

    public bool IsEmulator => Tokens is null;

    /// <summary>For messages: where the calls went.</summary>
    public override string ToString() => IsEmulator ? $"the storage emulator at {Root.Authority}" : $"GCS at {Root.Authority}";
}
