using System.Text.Json;
using RekorPosix.Verification;

namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// Finds Google credentials as Application Default Credentials do (spec gcp-spanner-flavour.md
/// §7.1; https://cloud.google.com/docs/authentication/application-default-credentials): the file
/// <c>GOOGLE_APPLICATION_CREDENTIALS</c> names, else gcloud's well-known file, else the metadata
/// server; else it fails, naming each place it looked.
/// </summary>
internal static class ApplicationDefaultCredentials
{
    public const string CredentialsVariable = "GOOGLE_APPLICATION_CREDENTIALS";
    public const string WellKnownFileName = "application_default_credentials.json";

    /// <summary>The process's environment, Google's endpoints and the system clock; the token source
    /// uses <paramref name="http"/>, which its owner disposes after it.</summary>
    public static Task<CachedTokenSource> FindAsync(string scope, HttpClient http, CancellationToken cancel) =>
        FindAsync(scope, http, TimeProvider.System, new AuthSettings(), Environment.GetEnvironmentVariable, cancel);

    public static async Task<CachedTokenSource> FindAsync(string scope, HttpClient http, TimeProvider clock, AuthSettings settings,
        Func<string, string?> environment, CancellationToken cancel)
    {
        if (environment(CredentialsVariable) is { Length: > 0 } named)
            return FromFile(named, $"{CredentialsVariable} file {named}", scope, http, clock, settings);
        string? wellKnown = WellKnownFile(environment);
        if (wellKnown is not null && File.Exists(wellKnown))
            return FromFile(wellKnown, $"gcloud's credentials file {wellKnown}", scope, http, clock, settings);

        string? metadataHost = environment(MetadataServerFlow.HostVariable);
        var server = MetadataServerFlow.ServerFrom(metadataHost);
        if (await MetadataServerFlow.ProbeAsync(server, http, settings.MetadataProbeTimeout, cancel).ConfigureAwait(false))
            return new CachedTokenSource(new MetadataServerFlow(server, scope, http, settings), clock, settings);
        throw new CredentialsException(
            $"no Google credentials found: {CredentialsVariable} is not set, "
            + (wellKnown is null ? "neither CLOUDSDK_CONFIG nor HOME is set, " : $"there is no {wellKnown}, ")
            + $"and no metadata server answered at {server.Authority}"
            + (metadataHost is { Length: > 0 } ? $" ({MetadataServerFlow.HostVariable})" : "")
            + " (https://cloud.google.com/docs/authentication/application-default-credentials)");
    }

    /// <summary>A credentials JSON file of type service_account or authorized_user, with its
    /// quota project if it names one; <paramref name="source"/> names it in messages.</summary>
    public static CachedTokenSource FromFile(string path, string source, string scope, HttpClient http, TimeProvider clock, AuthSettings settings)
    {
        var file = Read(path, source);
        string? quotaProject = QuotaProject(file.QuotaProjectId, source);
        ITokenFlow flow = file.Type switch
        {
            CredentialFile.ServiceAccountType => new ServiceAccountFlow(file, source, scope, http, clock, settings),
            CredentialFile.AuthorizedUserType => new AuthorizedUserFlow(file, source, http, settings),
            null or "" => throw new CredentialsException($"{source}: no \"type\" field: not a Google credentials file"),
            _ => throw new CredentialsException($"{source}: credentials of type '{BoundedText.Of(file.Type, 60)}' are not supported "
                + $"(only {CredentialFile.ServiceAccountType} and {CredentialFile.AuthorizedUserType})"),
        };
        return new CachedTokenSource(flow, clock, settings) { QuotaProject = quotaProject };
    }

    /// <summary>A project ID goes into a header as it is: printable ASCII without spaces (IDs are
    /// lower-case letters, digits and hyphens, a domain-scoped one adds '.' and ':').</summary>
    private static string? QuotaProject(string? configured, string source) =>
        string.IsNullOrEmpty(configured) ? null
        : configured.All(c => c is > ' ' and < (char)127) ? configured
        : throw new CredentialsException($"{source}: quota_project_id '{BoundedText.Of(configured, 100)}' is not a project ID");

    /// <summary>$CLOUDSDK_CONFIG/…, else $HOME/.config/gcloud/…, where gcloud writes it.</summary>
    private static string? WellKnownFile(Func<string, string?> environment) =>
        environment("CLOUDSDK_CONFIG") is { Length: > 0 } config ? Path.Combine(config, WellKnownFileName)
        : environment("HOME") is { Length: > 0 } home ? Path.Combine(home, ".config", "gcloud", WellKnownFileName)
        : null;

    /// <summary>The file's fields; a JSON error is reported by position only, since the text around
    /// it may be a key.</summary>
    private static CredentialFile Read(string path, string source)
    {
        byte[] json;
        try
        {
            json = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialsException($"{source}: cannot be read: {BoundedText.Of(e.Message)}");
        }
        try
        {
            return JsonSerializer.Deserialize(json, AuthJsonContext.Default.CredentialFile)
                ?? throw new CredentialsException($"{source}: holds JSON null, not a credentials object");
        }
        catch (JsonException e)
        {
            throw new CredentialsException($"{source}: not valid credentials JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
    }
}
