namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// Where Spanner's gRPC API is and how calls are authorised: production over TLS with a bearer
/// token, or the emulator named by <c>SPANNER_EMULATOR_HOST</c> in plaintext HTTP/2 without
/// credentials, as Google's clients do (spec gcp-spanner-flavour.md §2.3, §6.2).
/// <see cref="QuotaProject"/>, when set, is sent as <c>x-goog-user-project</c> on every call.
/// </summary>
internal sealed record SpannerEndpoint(Uri Address, IAccessTokenSource? Tokens, string? QuotaProject = null)
{
    public const string EmulatorVariable = "SPANNER_EMULATOR_HOST";

    /// <summary>Google's production endpoint, each call carrying a token from <paramref name="tokens"/>
    /// and the quota project of its credentials.</summary>
    public static SpannerEndpoint Production(IAccessTokenSource tokens) =>
        new(new Uri("https://spanner.googleapis.com:443"), tokens, tokens.QuotaProject);

    /// <summary>An emulator's gRPC port, <c>host:port</c> without a scheme.</summary>
    public static SpannerEndpoint Emulator(string hostPort) =>
        Uri.TryCreate("http://" + hostPort, UriKind.Absolute, out var address) && address.AbsolutePath == "/" && !hostPort.Contains("://", StringComparison.Ordinal)
            ? new SpannerEndpoint(address, null)
            : throw new FormatException($"{EmulatorVariable}='{Verification.BoundedText.Of(hostPort)}' is not host:port (no scheme, no path)");

    /// <summary>The emulator when <c>SPANNER_EMULATOR_HOST</c> is set, else production with
    /// tokens from <paramref name="productionTokens"/> (called only then).</summary>
    public static SpannerEndpoint FromEnvironment(Func<IAccessTokenSource> productionTokens) =>
        Environment.GetEnvironmentVariable(EmulatorVariable) is { Length: > 0 } emulator
            ? Emulator(emulator)
            : Production(productionTokens());

    public bool IsEmulator => Tokens is null;

    /// <summary>For messages: where the calls went.</summary>
    public override string ToString() => IsEmulator ? $"the Spanner emulator at {Address.Host}:{Address.Port}" : $"Spanner at {Address.Host}:{Address.Port}";
}
