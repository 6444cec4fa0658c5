using RekorPosix.Log.Gcp.Spanner;

using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Where calls go (spec gcp-spanner-flavour.md §2.3, §6.2).</summary>
public sealed class SpannerEndpointTests
{
    [Fact]
    public void TheEmulator_IsPlaintextWithoutCredentials()
    {
        var endpoint = SpannerEndpoint.Emulator("127.0.0.1:9010");

        Assert.Equal(new Uri("http://127.0.0.1:9010"), endpoint.Address);
        Assert.True(endpoint.IsEmulator);
        Assert.Null(endpoint.Tokens);
        Assert.Equal("the Spanner emulator at 127.0.0.1:9010", endpoint.ToString());
    }

    [Fact]
    public void Production_IsGooglesTlsEndpoint_WithTokens()
    {
        var endpoint = SpannerEndpoint.Production(new FixedTokenSource());

        Assert.Equal(new Uri("https://spanner.googleapis.com:443"), endpoint.Address);
        Assert.False(endpoint.IsEmulator);
        Assert.Equal("Spanner at spanner.googleapis.com:443", endpoint.ToString());
        Assert.Null(endpoint.QuotaProject);
    }

    [Fact]
    public void Production_BillsTheQuotaProjectOfItsCredentials()
    {
        Assert.Equal("billed-project", SpannerEndpoint.Production(new FixedTokenSource { QuotaProject = "billed-project" }).QuotaProject);
        Assert.Null(SpannerEndpoint.Emulator("127.0.0.1:9010").QuotaProject);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9010")]
    [InlineData("127.0.0.1:9010/v1")]
    [InlineData("")]
    public void AnEmulatorHostThatIsNotHostPort_IsRefused_NamingTheVariable(string value)
    {
        var error = Assert.Throws<FormatException>(() => SpannerEndpoint.Emulator(value));

        Assert.StartsWith("SPANNER_EMULATOR_HOST=", error.Message);
    }
}
