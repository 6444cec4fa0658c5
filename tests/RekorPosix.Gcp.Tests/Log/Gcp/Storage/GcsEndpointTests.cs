using RekorPosix.Log.Gcp.Storage;

using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Storage;

/// <summary>Where GCS calls go: Google with tokens, or STORAGE_EMULATOR_HOST without (spec
/// gcp-spanner-flavour.md §8.6).</summary>
public sealed class GcsEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:4443", "http://127.0.0.1:4443/")]
    [InlineData("http://localhost:7080", "http://localhost:7080/")]
    [InlineData("https://gcs.test:443/", "https://gcs.test/")]
    public void TheEmulator_TakesHostPortOrAUrl_WithoutCredentials(string variable, string root)
    {
        var endpoint = GcsEndpoint.Emulator(variable);

        Assert.Equal(new Uri(root), endpoint.Root);
        Assert.True(endpoint.IsEmulator);
        Assert.Null(endpoint.Tokens);
    }

    [Theory]
    [InlineData("127.0.0.1:4443/storage/v1")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("http://127.0.0.1:4443/?x=1")]
    public void AnEmulatorValueWithAPath_IsRefused(string variable)
    {
        var failure = Assert.Throws<FormatException>(() => GcsEndpoint.Emulator(variable));
        Assert.Equal($"STORAGE_EMULATOR_HOST='{variable}' is not host:port or http(s)://host:port", failure.Message);
    }

    [Fact]
    public void Production_IsGooglesEndpoint_WithTokens()
    {
        var endpoint = GcsEndpoint.Production(new FixedTokenSource());

        Assert.Equal(new Uri("https://storage.googleapis.com/"), endpoint.Root);
        Assert.False(endpoint.IsEmulator);
        Assert.Equal("GCS at storage.googleapis.com", endpoint.ToString());
        Assert.Null(endpoint.QuotaProject);
    }

    [Fact]
    public void Production_BillsTheQuotaProjectOfItsCredentials()
    {
        Assert.Equal("billed-project", GcsEndpoint.Production(new FixedTokenSource { QuotaProject = "billed-project" }).QuotaProject);
        Assert.Null(GcsEndpoint.Emulator("127.0.0.1:4443").QuotaProject);
    }
}
