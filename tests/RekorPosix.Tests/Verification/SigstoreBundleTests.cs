using System.Text;
using System.Text.Json.Nodes;
using RekorPosix.Verification;
using static RekorPosix.Tests.Verification.SigstoreCases;

namespace RekorPosix.Tests.Verification;

public class SigstoreBundleTests
{
    [Fact]
    public void Parse_ReadsAMessageSignatureBundle()
    {
        var bundle = Bundle(ConformanceBundle("rekor2-happy-path"));
        Assert.Equal("application/vnd.dev.sigstore.bundle.v0.3+json", bundle.MediaType);
        Assert.NotNull(bundle.Certificate);
        Assert.Single(bundle.SignedTimestamps);
        Assert.Null(bundle.Dsse);
        Assert.Equal("SHA2_256", bundle.MessageSignature!.DigestAlgorithm);
        var entry = Assert.Single(bundle.LogEntries);
        Assert.Equal((735L, "hashedrekord", "0.0.2"), (entry.LogIndex, entry.Kind, entry.Version));
        Assert.Equal(736, entry.Proof!.TreeSize);
        Assert.Equal(8, entry.Proof.Hashes.Count);
        Assert.StartsWith("log2025-alpha1.rekor.sigstage.dev\n736\n", entry.Proof.Checkpoint);
        Assert.Same(bundle.MessageSignature.Signature, bundle.Signature);
    }

    [Fact]
    public void Parse_ReadsADsseBundle()
    {
        var bundle = Bundle(ConformanceBundle("rekor2-dsse-happy-path"));
        Assert.Null(bundle.MessageSignature);
        Assert.Equal("application/vnd.in-toto+json", bundle.Dsse!.PayloadType);
        Assert.Same(bundle.Dsse.Signatures[0], bundle.Signature);
    }

    [Fact]
    public void Parse_ReadsAnOlderBundleWithACertificateChain()
    {
        var json = ConformanceBundle("rekor2-happy-path");
        json["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.2";
        var material = json["verificationMaterial"]!.AsObject();
        var leaf = material["certificate"]!.DeepClone();
        material.Remove("certificate");
        material["x509CertificateChain"] = new JsonObject { ["certificates"] = new JsonArray(leaf, ConformanceRoot()["certificateAuthorities"]![0]!["certChain"]!["certificates"]![0]!.DeepClone()) };
        var bundle = Bundle(json);
        Assert.NotNull(bundle.Certificate);
        Assert.Single(bundle.ChainCertificates);
        Assert.Single(VerifyConformance(json).LogIndices);
    }

    [Fact]
    public void Parse_TakesAMissingLogIndexAsZero_AsProtojsonLeavesZeroOut()
    {
        var json = ConformanceBundle("rekor2-happy-path");
        Entry(json).Remove("logIndex");
        Assert.Equal(0, Bundle(json).LogEntries[0].LogIndex);
    }

    public static TheoryData<string, Action<JsonObject>, string> Malformed => new()
    {
        { "media type", b => b["mediaType"] = "application/json", "bundle: unsupported media type \"application/json\"" },
        { "no material", b => b.Remove("verificationMaterial"), "verificationMaterial is missing or not an object" },
        { "both contents", b => b["dsseEnvelope"] = ConformanceBundle("rekor2-dsse-happy-path")["dsseEnvelope"]!.DeepClone(), "bundle: needs exactly one of messageSignature and dsseEnvelope" },
        { "no content", b => b.Remove("messageSignature"), "bundle: needs exactly one of messageSignature and dsseEnvelope" },
        { "bad base64", b => b["messageSignature"]!["signature"] = "not base64!", "messageSignature.signature is not valid base64" },
        { "bad index", b => Entry(b)["logIndex"] = "seven", "verificationMaterial.tlogEntries[0].logIndex is not an int64" },
        { "no kind", b => Entry(b).Remove("kindVersion"), "verificationMaterial.tlogEntries[0].kindVersion is missing or not an object" },
        { "bad proof hash", b => Entry(b)["inclusionProof"]!["hashes"]![0] = 7, "verificationMaterial.tlogEntries[0].inclusionProof.hashes[0] is not base64" },
        { "bad certificate", b => b["verificationMaterial"]!["certificate"]!["rawBytes"] = "AAAA", "bundle: verificationMaterial.certificate: not a DER X.509 certificate" },
        { "no signer", b => b["verificationMaterial"]!.AsObject().Remove("certificate"), "bundle: verificationMaterial has no certificate, chain or public key" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_RefusesAMalformedBundle_NamingThePlace(string what, Action<JsonObject> damage, string why)
    {
        var json = ConformanceBundle("rekor2-happy-path");
        damage(json);
        var e = Assert.Throws<BundleRejectedException>(() => Bundle(json));
        Assert.True(e.Message.StartsWith(why, StringComparison.Ordinal), $"{what}: {e.Message}");
    }

    [Fact]
    public void Parse_RefusesNonJson()
    {
        var e = Assert.Throws<BundleRejectedException>(() => SigstoreBundle.Parse(Encoding.UTF8.GetBytes("{not json")));
        Assert.StartsWith("the bundle is not JSON", e.Message);
    }

    [Fact]
    public void Parse_RefusesADsseEnvelopeWithTwoSignatures()
    {
        var json = ConformanceBundle("rekor2-dsse-happy-path");
        var signatures = json["dsseEnvelope"]!["signatures"]!.AsArray();
        signatures.Add(signatures[0]!.DeepClone());
        var e = Assert.Throws<BundleRejectedException>(() => Bundle(json));
        Assert.Equal("bundle: dsseEnvelope must hold exactly one signature, not 2", e.Message);
    }

    [Fact]
    public void Parse_QuotesAHostileMediaTypeBounded()
    {
        var json = ConformanceBundle("rekor2-happy-path");
        json["mediaType"] = new string('x', 5000) + "\n";
        var e = Assert.Throws<BundleRejectedException>(() => Bundle(json));
        Assert.True(e.Message.Length < 200, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
