using System.Text;
using System.Text.Json.Nodes;
using RekorPosix.Signing;
using RekorPosix.Verification;
using static RekorPosix.Tests.Verification.SigstoreCases;

namespace RekorPosix.Tests.Verification;

public class TrustedRootTests
{
    [Fact]
    public void Parse_ReadsLogsAuthoritiesAndTimestampAuthorities()
    {
        var root = Root(ConformanceRoot());
        Assert.Equal(2, root.Logs.Count);
        var v2 = root.Logs[1];
        Assert.Equal("https://log2025-alpha1.rekor.sigstage.dev", v2.BaseUrl);
        Assert.Equal("log2025-alpha1.rekor.sigstage.dev", v2.Origin);
        Assert.Equal(LogKeyType.Ed25519, v2.Key.KeyType);
        Assert.Equal("8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck=", Convert.ToBase64String(v2.LogId));
        // The log ID of an Ed25519 Rekor v2 log commits to its origin (C2SP signed-note key hash).
        Assert.Equal(v2.LogId, v2.Key.LogId(v2.Origin));
        Assert.Equal(new DateTimeOffset(2025, 4, 16, 0, 0, 0, TimeSpan.Zero), v2.ValidFor.Start);
        Assert.Null(v2.ValidFor.End);
        var ca = Assert.Single(root.CertificateAuthorities);
        Assert.Equal(("https://fulcio.sigstage.dev", 2), (ca.Uri, ca.Chain.Count));
        Assert.Single(ca.Intermediates);
        var tsa = Assert.Single(root.TimestampAuthorities);
        Assert.Equal("https://timestamp.sigstage.dev/api/v1/timestamp", tsa.Uri);
    }

    [Theory]
    [InlineData("mediaType", "\"application/json\"", "trusted root: unknown media type \"application/json\"")]
    [InlineData("tlogs", "[{\"baseUrl\":\"https://x\",\"publicKey\":{\"rawBytes\":\"AAAA\"},\"logId\":{\"keyId\":\"AA==\"}}]", "trusted root: tlogs[0].publicKey: malformed public key")]
    [InlineData("tlogs", "[{\"baseUrl\":\"https://x\"}]", "tlogs[0].publicKey is missing or not an object")]
    [InlineData("certificateAuthorities", "[{\"certChain\":{\"certificates\":[]}}]", "trusted root: certificateAuthorities[0].certChain holds no certificate")]
    [InlineData("timestampAuthorities", "[{\"certChain\":{\"certificates\":[{\"rawBytes\":\"AAAA\"}]}}]", "trusted root: timestampAuthorities[0].certChain.certificates[0]: not a DER X.509 certificate")]
    public void Parse_RefusesWhatItCannotUse(string field, string json, string why)
    {
        var root = ConformanceRoot();
        root[field] = JsonNode.Parse(json);
        var e = Assert.Throws<BundleRejectedException>(() => Root(root));
        Assert.StartsWith(why, e.Message);
    }

    [Fact]
    public void Parse_RefusesNonJson()
    {
        Assert.StartsWith("the trusted root is not JSON", Assert.Throws<BundleRejectedException>(() => TrustedRoot.Parse(Encoding.UTF8.GetBytes("[}"))).Message);
        Assert.Equal("trusted root: not a JSON object", Assert.Throws<BundleRejectedException>(() => TrustedRoot.Parse(Encoding.UTF8.GetBytes("[]"))).Message);
    }

    [Fact]
    public void Parse_AcceptsAnEmptyRoot_WhichTrustsNothing()
    {
        var root = TrustedRoot.Parse(Encoding.UTF8.GetBytes("{}"));
        Assert.Empty(root.Logs);
        Assert.Empty(root.CertificateAuthorities);
        Assert.Empty(root.TimestampAuthorities);
    }
}
