using System.Net;
using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Auth;

/// <summary>A token request's failures: each names the source and the URL, says whether trying
/// later may help, and quotes nothing that was sent.</summary>
public sealed class TokenEndpointCallTests : FakeTokenServerTest
{
    private Task<AccessToken> PostAsync(TimeSpan? timeout = null) =>
        TokenEndpointCall.SendAsync(Http, () => new HttpRequestMessage(HttpMethod.Post, Server.TokenUri)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("refresh_token", FakeTokenServer.RefreshToken),
                new("client_id", "client-id-1"), new("client_secret", FakeTokenServer.ClientSecret)]),
        }, "the source", timeout ?? TimeSpan.FromSeconds(30), CancellationToken.None);

    [Fact]
    public async Task AnAnswer_GivesTheTokenAndItsLifetime()
    {
        Server.Lifetime = TimeSpan.FromSeconds(3599);

        Assert.Equal(new AccessToken("token-1", TimeSpan.FromSeconds(3599)), await PostAsync());
    }

    [Fact]
    public async Task A503_IsTransient()
    {
        Server.Refusals.Enqueue((503, "<html>unavailable</html>"));

        var failure = await Assert.ThrowsAsync<CredentialsException>(() => PostAsync());

        Assert.Equal($"the source: {Server.TokenUri} refused the token request (HTTP 503)", failure.Message);
        Assert.True(failure.IsTransient);
    }

    [Theory]
    [InlineData("""{"access_token":"","expires_in":3600}""")]
    [InlineData("""{"access_token":"t","expires_in":0}""")]
    [InlineData("""{"access_token":"secret-token""")]
    public async Task AnAnswerWithoutAUsableToken_IsRefused_WithoutQuotingIt(string body)
    {
        Server.Refusals.Enqueue((200, body));

        var failure = await Assert.ThrowsAsync<CredentialsException>(() => PostAsync());

        Assert.Equal($"the source: {Server.TokenUri} answered 200 without an access_token and a positive expires_in", failure.Message);
    }

    [Fact]
    public async Task ATokenThatIsNotBearer_IsRefused()
    {
        Server.Refusals.Enqueue((200, """{"access_token":"t","expires_in":3600,"token_type":"MAC"}"""));

        var failure = await Assert.ThrowsAsync<CredentialsException>(() => PostAsync());

        Assert.Equal($"the source: {Server.TokenUri} gave a token of type 'MAC', not Bearer", failure.Message);
    }

    [Fact]
    public async Task AnEndpointThatDoesNotAnswer_TimesOut_Transiently()
    {
        Server.StallNext = 1;

        var failure = await Assert.ThrowsAsync<CredentialsException>(() => PostAsync(TimeSpan.FromMilliseconds(200)));

        Assert.Equal($"the source: no answer from {Server.TokenUri} within 0.2 s", failure.Message);
        Assert.True(failure.IsTransient);
    }

    [Fact]
    public async Task NoServer_IsTransient_AndNamed()
    {
        var closed = new Uri($"http://127.0.0.1:{FreePort()}/token");

        var failure = await Assert.ThrowsAsync<CredentialsException>(() => TokenEndpointCall.SendAsync(Http, () => new HttpRequestMessage(HttpMethod.Post, closed),
            "the source", TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.StartsWith($"the source: cannot reach {closed}: ", failure.Message);
        Assert.True(failure.IsTransient);
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
