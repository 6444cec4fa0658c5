using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Auth;

/// <summary>Where credentials are looked for, in order (spec gcp-spanner-flavour.md §7.1), and
/// what a bad credentials file gives: a message naming the file and never its secrets.</summary>
public sealed class ApplicationDefaultCredentialsTests : FakeTokenServerTest
{
    // Never the real link-local address: the probe of a missing metadata server goes to a closed port.
    private readonly Dictionary<string, string> _environment = new() { [MetadataServerFlow.HostVariable] = "127.0.0.1:9" };

    private Task<CachedTokenSource> FindAsync() => ApplicationDefaultCredentials.FindAsync(GoogleScopes.CloudPlatform, Http, TimeProvider.System,
        new AuthSettings(), name => _environment.GetValueOrDefault(name), CancellationToken.None);

    private string GcloudConfig()
    {
        string config = Directory.CreateDirectory(Dir["gcloud"]).FullName;
        TestServiceAccount.AuthorizedUserFile(config, Server.TokenUri, ApplicationDefaultCredentials.WellKnownFileName);
        return config;
    }

    [Fact]
    public async Task TheVariablesFile_ComesFirst()
    {
        _environment[ApplicationDefaultCredentials.CredentialsVariable] = TestServiceAccount.ServiceAccountFile(Dir.Path, Server.TokenUri);
        _environment["CLOUDSDK_CONFIG"] = GcloudConfig();
        _environment[MetadataServerFlow.HostVariable] = Server.HostPort;

        using var source = await FindAsync();

        Assert.Equal($"GOOGLE_APPLICATION_CREDENTIALS file {_environment[ApplicationDefaultCredentials.CredentialsVariable]}", source.Source);
        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));
        Assert.Single(Server.VerifiedClaims);
    }

    [Fact]
    public async Task GcloudsFile_UnderCloudsdkConfig_ComesNext()
    {
        string config = GcloudConfig();
        _environment["CLOUDSDK_CONFIG"] = config;
        _environment[MetadataServerFlow.HostVariable] = Server.HostPort;

        using var source = await FindAsync();

        Assert.Equal($"gcloud's credentials file {config}/application_default_credentials.json", source.Source);
        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));
        Assert.Equal("refresh_token", Assert.Single(Server.Requests).Fields["grant_type"]);
    }

    [Fact]
    public async Task GcloudsFile_UnderHome_WhenCloudsdkConfigIsUnset()
    {
        string config = Directory.CreateDirectory(Dir[".config/gcloud"]).FullName;
        TestServiceAccount.AuthorizedUserFile(config, Server.TokenUri, ApplicationDefaultCredentials.WellKnownFileName);
        _environment["HOME"] = Dir.Path;

        using var source = await FindAsync();

        Assert.Equal($"gcloud's credentials file {config}/application_default_credentials.json", source.Source);
    }

    [Fact]
    public async Task TheMetadataServer_AtGceMetadataHost_ComesLast()
    {
        _environment["HOME"] = Dir.Path;
        _environment[MetadataServerFlow.HostVariable] = Server.HostPort;

        using var source = await FindAsync();

        Assert.Equal($"the metadata server at {Server.HostPort}", source.Source);
        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));
        Assert.Equal(["/", "/computeMetadata/v1/instance/service-accounts/default/token"], Server.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task NothingFound_FailsNamingEachPlace()
    {
        _environment["HOME"] = Dir.Path;

        var failure = await Assert.ThrowsAsync<CredentialsException>(FindAsync);

        Assert.Equal($"no Google credentials found: GOOGLE_APPLICATION_CREDENTIALS is not set, there is no {Dir.Path}/.config/gcloud/application_default_credentials.json, "
            + "and no metadata server answered at 127.0.0.1:9 (GCE_METADATA_HOST) (https://cloud.google.com/docs/authentication/application-default-credentials)", failure.Message);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIsecret", "not valid credentials JSON (line 1, byte 83)" },
        { "null", "holds JSON null, not a credentials object" },
        { "{\"client_email\": \"a@b\"}", "no \"type\" field: not a Google credentials file" },
        { "{\"type\": \"external_account\"}", "credentials of type 'external_account' are not supported (only service_account and authorized_user)" },
        { "{\"type\": \"service_account\", \"private_key\": \"k\"}", "a service_account file without client_email" },
        { "{\"type\": \"service_account\", \"client_email\": \"a@b\"}", "a service_account file without private_key" },
        { "{\"type\": \"service_account\", \"client_email\": \"a@b\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIsecretsecret\\n-----END PRIVATE KEY-----\\n\"}",
            "private_key is not a PEM-encoded RSA private key" },
        { "{\"type\": \"service_account\", \"client_email\": \"a@b\", \"private_key\": \"k\", \"token_uri\": \"ftp://x\"}", "token_uri 'ftp://x' is not an http(s) URL" },
        { "{\"type\": \"authorized_user\", \"quota_project_id\": \"a project\"}", "quota_project_id 'a project' is not a project ID" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task ABadFile_IsRefused_NamingIt_WithoutItsSecrets(string content, string problem)
    {
        string path = Dir["credentials.json"];
        await File.WriteAllTextAsync(path, content);
        _environment[ApplicationDefaultCredentials.CredentialsVariable] = path;

        var failure = await Assert.ThrowsAsync<CredentialsException>(FindAsync);

        Assert.Equal($"GOOGLE_APPLICATION_CREDENTIALS file {path}: {problem}", failure.Message);
        Assert.DoesNotContain("MIIsecret", failure.ToString());
    }

    [Theory]
    [InlineData("service_account", "billed-project")]
    [InlineData("authorized_user", "billed-project")]
    [InlineData("authorized_user", null)]
    public async Task TheFilesQuotaProject_IsTheSourcesQuotaProject(string type, string? quotaProject)
    {
        _environment[ApplicationDefaultCredentials.CredentialsVariable] = type == "service_account"
            ? TestServiceAccount.ServiceAccountFile(Dir.Path, Server.TokenUri, quotaProject: quotaProject)
            : TestServiceAccount.AuthorizedUserFile(Dir.Path, Server.TokenUri, quotaProject: quotaProject);

        using var source = await FindAsync();

        Assert.Equal(quotaProject, source.QuotaProject);
    }

    [Fact]
    public async Task AMissingFile_IsRefused_NamingIt()
    {
        string path = Dir["absent.json"];
        _environment[ApplicationDefaultCredentials.CredentialsVariable] = path;

        var failure = await Assert.ThrowsAsync<CredentialsException>(FindAsync);

        Assert.StartsWith($"GOOGLE_APPLICATION_CREDENTIALS file {path}: cannot be read: Could not find file", failure.Message);
    }
}
