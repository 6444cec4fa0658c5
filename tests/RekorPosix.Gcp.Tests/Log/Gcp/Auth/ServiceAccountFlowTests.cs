using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Auth;

/// <summary>The JWT-bearer exchange (spec gcp-spanner-flavour.md §7.2) against a fake token
/// endpoint that checks the assertion's signature with the key's public half.</summary>
public sealed class ServiceAccountFlowTests : FakeTokenServerTest
{
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1796558400));

    private CachedTokenSource Source() =>
        ApplicationDefaultCredentials.FromFile(TestServiceAccount.ServiceAccountFile(Dir.Path, Server.TokenUri), "the test file", GoogleScopes.CloudPlatform,
            Http, _clock, new AuthSettings());

    [Fact]
    public async Task TheSignedAssertion_IsExchangedForAToken()
    {
        using var source = Source();

        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));

        var request = Assert.Single(Server.Requests);
        Assert.Equal("/token", request.Path);
        Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", request.Fields["grant_type"]);
        var claims = Assert.Single(Server.VerifiedClaims);
        Assert.Equal(TestServiceAccount.ClientEmail, claims.GetProperty("iss").GetString());
        Assert.Equal(GoogleScopes.CloudPlatform, claims.GetProperty("scope").GetString());
        Assert.Equal(1796558400, claims.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task NearExpiry_ANewAssertionIsExchanged()
    {
        Server.Lifetime = TimeSpan.FromSeconds(3599);
        using var source = Source();
        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));

        _clock.Advance(TimeSpan.FromMinutes(56));

        Assert.Equal("token-2", await source.GetAccessTokenAsync(CancellationToken.None));
        Assert.Equal([1796558400, 1796558400 + 56 * 60], Server.VerifiedClaims.Select(c => c.GetProperty("iat").GetInt64()));
    }

    [Fact]
    public async Task AnotherKey_IsRefusedByTheEndpoint_AndTheMessageNamesTheFileNotTheKey()
    {
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        string pem = otherKey.ExportPkcs8PrivateKeyPem();
        using var source = ApplicationDefaultCredentials.FromFile(TestServiceAccount.ServiceAccountFile(Dir.Path, Server.TokenUri, pem), "the test file",
            GoogleScopes.CloudPlatform, Http, _clock, new AuthSettings());

        var failure = await Assert.ThrowsAsync<CredentialsException>(() => source.GetAccessTokenAsync(CancellationToken.None).AsTask());

        Assert.StartsWith($"the test file ({TestServiceAccount.ClientEmail}): {Server.TokenUri} refused the token request (HTTP 400): invalid_request: bad signature", failure.Message);
        Assert.DoesNotContain("PRIVATE KEY", failure.Message);
        Assert.DoesNotContain("assertion", failure.Message);
        Assert.False(failure.IsTransient);
    }
}
