using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class LogEntryBundleTests
{
    [Fact]
    public void FromResponse_MakesABundleThatVerifiesWithTheSignersKey()
    {
        var bundle = SigstoreBundle.Parse(LogEntryBundle.FromResponse(File.ReadAllBytes(WorkedExample.ResponsePath)));
        var verified = BundleVerifier.Verify(bundle, ArtifactInput.Parse(WorkedExample.ArtifactDigest),
            TrustedRoot.Parse(WorkedExample.TrustedRoot), VerificationPolicy.ForKey(WorkedExample.SignerKey));
        Assert.Equal([0L], verified.LogIndices);
        Assert.Empty(verified.SignedAt);
        Assert.Null(verified.Signer);
    }

    [Fact]
    public void FromResponse_CarriesTheEntryAsSent_AndOnlyAHintOfTheKey()
    {
        var response = JsonNode.Parse(File.ReadAllBytes(WorkedExample.ResponsePath))!;
        var bundle = JsonNode.Parse(LogEntryBundle.FromResponse(File.ReadAllBytes(WorkedExample.ResponsePath)))!;
        Assert.Equal("application/vnd.dev.sigstore.bundle.v0.3+json", bundle["mediaType"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(response, bundle["verificationMaterial"]!["tlogEntries"]![0]));
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(WorkedExample.SignerKey)), bundle["verificationMaterial"]!["publicKey"]!["hint"]!.GetValue<string>());
        var signed = WorkedExample.Body["spec"]!["hashedRekordV002"]!;
        Assert.Equal(signed["data"]!["digest"]!.GetValue<string>(), bundle["messageSignature"]!["messageDigest"]!["digest"]!.GetValue<string>());
        Assert.Equal(signed["signature"]!["content"]!.GetValue<string>(), bundle["messageSignature"]!["signature"]!.GetValue<string>());
    }

    [Fact]
    public void FromResponse_OfACertificateEntry_CarriesTheCertificate()
    {
        var conformance = SigstoreCases.ConformanceBundle("rekor2-happy-path");
        var entry = SigstoreCases.Entry(conformance);
        var bundle = SigstoreBundle.Parse(LogEntryBundle.FromResponse(Encoding.UTF8.GetBytes(entry.ToJsonString())));
        Assert.Equal(conformance["verificationMaterial"]!["certificate"]!["rawBytes"]!.GetValue<string>(), Convert.ToBase64String(bundle.Certificate!.RawData));
    }

    [Theory]
    [InlineData("{", "the entry is not JSON")]
    [InlineData("{}", "entry.canonicalizedBody is missing or not base64 bytes")]
    [InlineData("{\"canonicalizedBody\":\"e30=\"}", "body.spec is missing or not an object")]
    public void FromResponse_RefusesWhatIsNotAnEntry(string response, string why)
    {
        var e = Assert.Throws<BundleRejectedException>(() => LogEntryBundle.FromResponse(Encoding.UTF8.GetBytes(response)));
        Assert.StartsWith(why, e.Message);
    }
}
