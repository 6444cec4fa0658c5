using System.Text;
using System.Text.Json.Nodes;
using RekorPosix.Tests.Support;
using RekorPosix.Verification;
using static RekorPosix.Tests.Verification.SigstoreCases;

namespace RekorPosix.Tests.Verification;

public class BundleVerifierTests
{
    [Theory]
    [InlineData("rekor2-happy-path", 735L)]
    [InlineData("rekor2-checkpoint-cosigned", 735L)]
    [InlineData("rekor2-dsse-happy-path", 4026478L)]
    public void ConformanceCase_ThatMustVerify_Verifies(string name, long index)
    {
        var verified = VerifyConformance(ConformanceBundle(name), ConformanceRoot(name));
        Assert.Equal([index], verified.LogIndices);
        Assert.Single(verified.SignedAt);
        Assert.Contains(Identity, verified.Signer!.SubjectAlternativeNames);
        Assert.Equal(Issuer, verified.Signer.Issuer);
    }

    [Theory]
    [InlineData("rekor2-checkpoint-no-matching-signature_fail", "checkpoint origin \"log2025-alpha1.rekor.github.dev\" is not the origin of log https://log2025-alpha1.rekor.sigstage.dev")]
    [InlineData("rekor2-no-inclusion-proof_fail", "log entry 735: no inclusion proof")]
    // Go's protojson refuses the timestamp's base64: it holds newlines and its length is no multiple of 4.
    [InlineData("rekor2-timestamp-with-incorrect-time_fail", "signedTimestamp is not valid base64")]
    public void ConformanceCase_ThatMustFail_IsRejected(string name, string why)
    {
        var e = Assert.Throws<BundleRejectedException>(() => VerifyConformance(ConformanceBundle(name), ConformanceRoot(name)));
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void TimestampOutsideTheCertificate_IsRejected_WhenItsBase64IsClean()
    {
        // The conformance case above, readable: it must then fail on its time, its real defect.
        var bundle = ConformanceBundle("rekor2-timestamp-with-incorrect-time_fail");
        var timestamp = bundle["verificationMaterial"]!["timestampVerificationData"]!["rfc3161Timestamps"]![0]!.AsObject();
        timestamp["signedTimestamp"] = timestamp["signedTimestamp"]!.GetValue<string>().Replace("\n", "");
        var e = Assert.Throws<BundleRejectedException>(() => VerifyConformance(bundle));
        Assert.Equal("the timestamp 2025-07-15 10:33:31Z is outside the certificate's validity (2025-06-12 12:02:16Z to 2025-06-12 12:12:16Z)", e.Message);
    }

    [Fact]
    public void OurServersBundle_MadeBySigstoreJs_Verifies()
    {
        var verified = VerifyJs(JsBundle());
        Assert.Equal([JsIdentity], verified.Signer!.SubjectAlternativeNames);
        Assert.Single(verified.LogIndices);
    }

    [Fact]
    public void ADigestInsteadOfTheFile_Verifies()
    {
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(ConformanceArtifact)));
        Assert.Single(VerifyConformance(ConformanceBundle("rekor2-happy-path"), artifact: digest).LogIndices);
    }

    public static TheoryData<string, Action<JsonObject>, string> Tampers => new()
    {
        { "canonical body", b => Entry(b)["canonicalizedBody"] = FlipBit(Entry(b)["canonicalizedBody"]!.GetValue<string>(), 40), "the logged body is not the one" },
        { "proof hash", b => Proof(b)["hashes"]![0] = FlipBit(Proof(b)["hashes"]![0]!.GetValue<string>(), 3), "the inclusion proof does not lead to the root" },
        { "proof size", b => Proof(b)["treeSize"] = "737", "is not against its checkpoint" },
        { "log index", b => Entry(b)["logIndex"] = "734", "the inclusion proof is for index 735" },
        { "checkpoint signature", b => Checkpoint(b, c => c.Replace("8w1amdbj", "8w1amdbk")), "checkpoint signature: invalid signature" },
        { "checkpoint root", b => Checkpoint(b, c => c.Replace("rs1YPY0y", "rs1YPY0z")), "checkpoint signature: invalid signature" },
        { "checkpoint missing", b => Proof(b).Remove("checkpoint"), "the inclusion proof has no checkpoint" },
        { "log ID", b => Entry(b)["logId"]!["keyId"] = FlipBit(Entry(b)["logId"]!["keyId"]!.GetValue<string>(), 0), "is not a log of the trusted root" },
        { "kind", b => Entry(b)["kindVersion"]!["version"] = "0.0.1", "is not a Rekor v2 hashedrekord 0.0.2 entry" },
        { "message digest", b => b["messageSignature"]!["messageDigest"]!["digest"] = FlipBit(b["messageSignature"]!["messageDigest"]!["digest"]!.GetValue<string>(), 0), "is not the artifact the bundle signed" },
        { "signature", b => b["messageSignature"]!["signature"] = FlipBit(b["messageSignature"]!["signature"]!.GetValue<string>(), -1), "timestamp of 2025-06-12 12:02:20Z does not verify" },
        { "certificate", b => b["verificationMaterial"]!["certificate"]!["rawBytes"] = FlipBit(b["verificationMaterial"]!["certificate"]!["rawBytes"]!.GetValue<string>(), -10), "the certificate does not chain to a trusted Fulcio CA" },
        { "no timestamp", b => b["verificationMaterial"]!.AsObject().Remove("timestampVerificationData"), "the bundle has no RFC 3161 timestamp" },
        { "no log entry", b => b["verificationMaterial"]!["tlogEntries"] = new JsonArray(), "the bundle has no transparency log entry" },
    };

    [Theory]
    [MemberData(nameof(Tampers))]
    public void ATamperedCopy_IsRejected(string what, Action<JsonObject> tamper, string why)
    {
        var bundle = ConformanceBundle("rekor2-happy-path");
        tamper(bundle);
        var e = Assert.Throws<BundleRejectedException>(() => VerifyConformance(bundle));
        Assert.True(e.Message.Contains(why, StringComparison.Ordinal), $"{what}: {e.Message}");
    }

    [Fact]
    public void AnotherArtifact_IsRejected()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["other.txt"], "not the signed artifact\n");
        var e = Assert.Throws<BundleRejectedException>(() => VerifyConformance(ConformanceBundle("rekor2-happy-path"), artifact: dir["other.txt"]));
        Assert.EndsWith("is not the artifact the bundle signed (its SHA2_256 digest differs)", e.Message);
    }

    [Fact]
    public void AnotherArtifact_IsRejected_ForADsseBundle()
    {
        var e = Assert.Throws<BundleRejectedException>(() =>
            VerifyConformance(ConformanceBundle("rekor2-dsse-happy-path"), ConformanceRoot("rekor2-dsse-happy-path"), "sha256:" + new string('0', 64)));
        Assert.StartsWith("the in-toto statement does not name sha256:0000", e.Message);
    }

    [Fact]
    public void AChangedDssePayload_IsRejected_ByItsSignature()
    {
        var bundle = ConformanceBundle("rekor2-dsse-happy-path");
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(bundle["dsseEnvelope"]!["payload"]!.GetValue<string>()));
        bundle["dsseEnvelope"]!["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.Replace("buildDefinition", "buildDefinitiom")));
        var e = Assert.Throws<BundleRejectedException>(() => VerifyConformance(bundle, ConformanceRoot("rekor2-dsse-happy-path")));
        Assert.StartsWith("signature: verifying signature:", e.Message);
    }

    [Theory]
    [InlineData("https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main", Issuer, "the certificate is for")]
    [InlineData(Identity, "https://accounts.google.com", "the certificate's OIDC issuer is \"https://token.actions.githubusercontent.com\", not \"https://accounts.google.com\"")]
    public void AnotherSigner_IsRejected(string identity, string issuer, string why)
    {
        var e = Assert.Throws<BundleRejectedException>(() =>
            VerifyConformance(ConformanceBundle("rekor2-happy-path"), policy: VerificationPolicy.ForCertificate(identity, issuer)));
        Assert.StartsWith(why, e.Message);
    }

    [Fact]
    public void ACertificateBundle_WithAKeyPolicy_IsRejected()
    {
        var e = Assert.Throws<BundleRejectedException>(() =>
            VerifyConformance(ConformanceBundle("rekor2-happy-path"), policy: VerificationPolicy.ForKey([1, 2, 3])));
        Assert.StartsWith("the bundle is signed with a certificate", e.Message);
    }

    [Fact]
    public void ATrustedRootWithoutTheLog_RejectsTheEntry()
    {
        var root = ConformanceRoot();
        root["tlogs"]!.AsArray().RemoveAt(1);
        var e = Assert.Throws<BundleRejectedException>(() => VerifyConformance(ConformanceBundle("rekor2-happy-path"), root));
        Assert.Contains("is not a log of the trusted root", e.Message);
    }

    [Fact]
    public void ALogNotYetTrustedAtTheSigningTime_RejectsTheEntry()
    {
        var root = ConformanceRoot();
        root["tlogs"]![1]!["publicKey"]!["validFor"]!["start"] = "2025-07-01T00:00:00Z";
        var e = Assert.Throws<BundleRejectedException>(() => VerifyConformance(ConformanceBundle("rekor2-happy-path"), root));
        Assert.Contains("is trusted 2025-07-01 00:00:00Z to now, not at the signing time 2025-06-12 12:02:20Z", e.Message);
    }

    [Fact]
    public void ATrustedRootWithoutTimestampAuthorities_RejectsTheTimestamp()
    {
        var root = ConformanceRoot();
        root.Remove("timestampAuthorities");
        var e = Assert.Throws<BundleRejectedException>(() => VerifyConformance(ConformanceBundle("rekor2-happy-path"), root));
        Assert.Equal("timestamp: the trusted root has no timestamp authority", e.Message);
    }

    [Fact]
    public void ACertificateAuthorityValidOnlyLater_IsNotUsed()
    {
        var root = ConformanceRoot();
        root["certificateAuthorities"]![0]!["validFor"]!["start"] = "2026-01-01T00:00:00Z";
        var e = Assert.Throws<BundleRejectedException>(() => VerifyConformance(ConformanceBundle("rekor2-happy-path"), root));
        Assert.EndsWith("no CA of the trusted root is valid then", e.Message);
    }

    [Fact]
    public void OurServersBundle_WithAnotherSignersEntry_IsRejected()
    {
        // The conformance bundle's entry is valid in its own log, but not for this signature.
        var bundle = JsBundle();
        bundle["verificationMaterial"]!["tlogEntries"] = ConformanceBundle("rekor2-happy-path")["verificationMaterial"]!["tlogEntries"]!.DeepClone();
        var e = Assert.Throws<BundleRejectedException>(() => VerifyJs(bundle));
        Assert.StartsWith("log entry 735: the logged body is not the one", e.Message);
    }

    private static JsonObject Proof(JsonObject bundle) => Entry(bundle)["inclusionProof"]!.AsObject();

    private static void Checkpoint(JsonObject bundle, Func<string, string> edit)
    {
        var checkpoint = Proof(bundle)["checkpoint"]!.AsObject();
        checkpoint["envelope"] = edit(checkpoint["envelope"]!.GetValue<string>());
    }
}
