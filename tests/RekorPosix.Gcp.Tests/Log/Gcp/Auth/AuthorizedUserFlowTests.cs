using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Auth;

/// <summary>The refresh-token grant of gcloud's user credentials (spec gcp-spanner-flavour.md §7.3).</summary>
public sealed class AuthorizedUserFlowTests : FakeTokenServerTest
{
    [Fact]
    public async Task TheRefreshToken_IsExchangedWithTheClientsCredentials()
    {
        using var source = ApplicationDefaultCredentials.FromFile(TestServiceAccount.AuthorizedUserFile(Dir.Path, Server.TokenUri), "the user file",
            GoogleScopes.CloudPlatform, Http, TimeProvider.System, new AuthSettings());

        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));

        var form = Assert.Single(Server.Requests).Fields;
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal(FakeTokenServer.RefreshToken, form["refresh_token"]);
        Assert.Equal("client-id-1", form["client_id"]);
    }

    [Fact]
    public async Task ARevokedRefreshToken_IsReportedWithGooglesReason_WithoutTheSecrets()
    {
        Server.Refusals.Enqueue((400, """{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"""));
        using var source = ApplicationDefaultCredentials.FromFile(TestServiceAccount.AuthorizedUserFile(Dir.Path, Server.TokenUri), "the user file",
            GoogleScopes.CloudPlatform, Http, TimeProvider.System, new AuthSettings());

        var failure = await Assert.ThrowsAsync<CredentialsException>(() => source.GetAccessTokenAsync(CancellationToken.None).AsTask());

        Assert.Equal($"the user file: {Server.TokenUri} refused the token request (HTTP 400): invalid_grant: Token has been expired or revoked.", failure.Message);
        Assert.DoesNotContain(FakeTokenServer.RefreshToken, failure.ToString());
        Assert.DoesNotContain(FakeTokenServer.ClientSecret, failure.ToString());
    }

    [Fact]
    public void AFileWithoutARefreshToken_IsRefusedNamingTheField()
    {
        string path = TestServiceAccount.Write(Dir.Path, "user.json", json =>
        {
            json.WriteString("type", "authorized_user");
            json.WriteString("client_id", "id");
            json.WriteString("client_secret", FakeTokenServer.ClientSecret);
        });

        var failure = Assert.Throws<CredentialsException>(() => ApplicationDefaultCredentials.FromFile(path, "the user file", GoogleScopes.CloudPlatform,
            Http, TimeProvider.System, new AuthSettings()));

        Assert.Equal("the user file: an authorized_user file without refresh_token", failure.Message);
    }
}
