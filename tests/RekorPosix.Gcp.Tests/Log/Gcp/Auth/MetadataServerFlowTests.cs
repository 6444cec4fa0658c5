using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Auth;

/// <summary>The metadata server of GCE, GKE and Cloud Run (spec gcp-spanner-flavour.md §7.4).</summary>
public sealed class MetadataServerFlowTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task TheToken_IsAskedForWithTheFlavorHeader_AndCommaSeparatedScopes()
    {
        await using var server = await FakeTokenServer.StartAsync();
        var flow = new MetadataServerFlow(MetadataServerFlow.ServerFrom(server.HostPort), GoogleScopes.SpannerData + " " + GoogleScopes.StorageReadWrite, Http, new AuthSettings());

        var token = await flow.FetchAsync(CancellationToken.None);

        Assert.Equal("token-1", token.Value);
        Assert.Equal(TimeSpan.FromHours(1), token.Lifetime);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/computeMetadata/v1/instance/service-accounts/default/token", request.Path);
        Assert.Equal("Google", request.MetadataFlavor);
        Assert.Equal($"{GoogleScopes.SpannerData},{GoogleScopes.StorageReadWrite}", request.Fields["scopes"]);
        Assert.Equal($"the metadata server at {server.HostPort}", flow.Source);
    }

    [Fact]
    public async Task TheProbe_WantsMetadataFlavorGoogleInTheAnswer()
    {
        await using var metadata = await FakeTokenServer.StartAsync();
        await using var impostor = await FakeTokenServer.StartAsync(speaksMetadataFlavor: false);

        Assert.True(await MetadataServerFlow.ProbeAsync(MetadataServerFlow.ServerFrom(metadata.HostPort), Http, TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.False(await MetadataServerFlow.ProbeAsync(MetadataServerFlow.ServerFrom(impostor.HostPort), Http, TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Equal("Google", Assert.Single(metadata.Requests).MetadataFlavor);
    }

    [Theory]
    [InlineData(null, "http://169.254.169.254/")]
    [InlineData("", "http://169.254.169.254/")]
    [InlineData("metadata.google.internal", "http://metadata.google.internal/")]
    [InlineData("127.0.0.1:8080", "http://127.0.0.1:8080/")]
    public void TheServer_IsGceMetadataHostOrTheLinkLocalAddress(string? variable, string expected) =>
        Assert.Equal(new Uri(expected), MetadataServerFlow.ServerFrom(variable));

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("127.0.0.1:8080/path")]
    public void AGceMetadataHostThatIsNotHostPort_IsRefused(string variable)
    {
        var failure = Assert.Throws<CredentialsException>(() => MetadataServerFlow.ServerFrom(variable));
        Assert.Equal($"GCE_METADATA_HOST='{variable}' is not host[:port]", failure.Message);
    }
}
