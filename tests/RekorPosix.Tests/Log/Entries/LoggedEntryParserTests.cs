using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RekorPosix.Log.Entries;
using RekorPosix.Monitoring;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Entries;

public class LoggedEntryParserTests
{
    /// <summary>The canonical body of entry 735 of Sigstore staging's Rekor v2 log (tests/testdata/README.md).</summary>
    public static byte[] StagingBody()
    {
        using var bundle = JsonDocument.Parse(File.ReadAllBytes(TestData.PathOf("sigstore-bundles/rekor2-happy-path/bundle.sigstore.json")));
        string body = bundle.RootElement.GetProperty("verificationMaterial").GetProperty("tlogEntries")[0].GetProperty("canonicalizedBody").GetString()!;
        return Convert.FromBase64String(body);
    }

    public const string StagingIdentity =
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

    public const string StagingIssuer = "https://token.actions.githubusercontent.com";

    public const string StagingKeySha256 = "dd96a8ffaff3755905d5ba07a67d3c7724b45f883a1d4bc0c1ef89b2ea015e49";

    [Fact]
    public void ARealFulcioEntry_FromSigstoreStaging_GivesItsIdentityIssuerKeyAndDigest()
    {
        var entry = LoggedEntryParser.Parse(StagingBody());

        Assert.Equal("hashedrekord", entry.Kind);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(Convert.FromBase64String("oM/HEnHW4njlfNMy/5V8P3BD/do1TEy7GQow1W76Ab8=")), entry.Digest.Text);
        var signer = Assert.Single(entry.Signers);
        Assert.Equal(StagingKeySha256, signer.KeySha256Hex);
        Assert.Equal([StagingIdentity], signer.Certificate!.SubjectAlternativeNames);
        Assert.Equal(StagingIssuer, signer.Certificate.Issuer);
    }

    [Fact]
    public void TheWorkedExample_ABareKey_GivesTheSha256OfItsSubjectPublicKeyInfo()
    {
        byte[] body = File.ReadAllBytes(TestData.PathOf("entries/worked-example.body.json"));
        var entry = LoggedEntryParser.Parse(body);

        var signer = Assert.Single(entry.Signers);
        Assert.Null(signer.Certificate);
        byte[] spki = Convert.FromBase64String("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2slOf8eZcj2moW2t4UFj7vCL6QpDzkDqqSUmm4OJCVvIauKLxm0aGs3VMPPfauMPaMutn0/s3jg0rroFxoicyg==");
        Assert.Equal(SHA256.HashData(spki), signer.KeySha256);
    }

    [Fact]
    public void ASha384Entry_NamesItsAlgorithm()
    {
        var entry = LoggedEntryParser.Parse(File.ReadAllBytes(TestData.PathOf("entries/certificate.body.json")));
        Assert.Equal("sha384", entry.Digest.Algorithm);
        Assert.Equal(48, entry.Digest.Value.Length);
        Assert.Empty(entry.Signers[0].Certificate!.SubjectAlternativeNames);
    }

    [Fact]
    public void ADsseEntry_IsReadWithItsKindAndEverySigner()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] a = FulcioCertificates.Create(key, email: "a@example.com", issuer: "https://issuer.example");
        byte[] b = FulcioCertificates.Create(key, uri: "https://ci.example/workflow");
        var entry = LoggedEntryParser.Parse(RekorBodies.Dsse(RekorBodies.Digest(1), a, b));

        Assert.Equal("dsse", entry.Kind);
        Assert.Equal(RekorBodies.Digest(1), entry.Digest.Value);
        Assert.Equal(["a@example.com"], entry.Signers[0].Certificate!.SubjectAlternativeNames);
        Assert.Equal(["https://ci.example/workflow"], entry.Signers[1].Certificate!.SubjectAlternativeNames);
        Assert.Equal(SHA256.HashData(key.ExportSubjectPublicKeyInfo()), entry.Signers[1].KeySha256);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "not json", "not JSON" },
        { "[]", "the body is not an object" },
        { """{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}""", "is neither hashedrekord nor dsse 0.0.2" },
        { """{"apiVersion":"0.0.2","kind":"rekord","spec":{}}""", "is neither hashedrekord nor dsse 0.0.2" },
        { """{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{}}""", "spec.hashedRekordV002 is missing" },
        { """{"apiVersion":"0.0.2","kind":"dsse","spec":{"dsseV002":{"payloadHash":{"algorithm":"SHA2_256","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"signatures":[]}}}""", "spec.dsseV002.signatures is empty" },
        { """{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":[]}}}""", "spec.hashedRekordV002.data is not an object" },
        { """{"apiVersion":"0.0.2","apiVersion":"0.0.2","kind":"hashedrekord","spec":{}}""", "not JSON" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void ABodyThatIsNoRekorV2Entry_IsRefused_SayingWhy(string body, string problem)
    {
        var error = Assert.Throws<FormatException>(() => LoggedEntryParser.Parse(Encoding.UTF8.GetBytes(body)));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void AHashedRekordNotInCanonicalForm_IsRefused()
    {
        string body = File.ReadAllText(TestData.PathOf("entries/worked-example.body.json"));
        string spaced = body.Replace("\"kind\":", "\"kind\": ", StringComparison.Ordinal);
        var error = Assert.Throws<FormatException>(() => LoggedEntryParser.Parse(Encoding.UTF8.GetBytes(spaced)));
        Assert.Contains("canonical form", error.Message);
    }

    [Fact]
    public void ADigestOfTheWrongLength_IsRefused()
    {
        string body = File.ReadAllText(TestData.PathOf("entries/worked-example.body.json"))
            .Replace("dyj4ednYHjN4/zsjjBeeLahS9slp97Z67LTAVxjrjXw=", Convert.ToBase64String(new byte[20]), StringComparison.Ordinal);
        var error = Assert.Throws<FormatException>(() => LoggedEntryParser.Parse(Encoding.UTF8.GetBytes(body)));
        Assert.Contains("spec.hashedRekordV002.data.digest is 20 bytes, not the 32 of sha256", error.Message);
    }

    [Fact]
    public void ACertificateThatDoesNotParse_IsRefused()
    {
        byte[] body = RekorBodies.WithCertificate([0x30, 0x03, 0x02, 0x01, 0x01], RekorBodies.Digest(1));
        var error = Assert.Throws<FormatException>(() => LoggedEntryParser.Parse(body));
        Assert.Contains("spec.hashedRekordV002.signature.verifier.x509Certificate: malformed certificate", error.Message);
    }

    [Fact]
    public void APublicKeyThatIsNoSubjectPublicKeyInfo_IsRefused()
    {
        byte[] body = RekorBodies.WithKey([1, 2, 3], RekorBodies.Digest(1));
        var error = Assert.Throws<FormatException>(() => LoggedEntryParser.Parse(body));
        Assert.Contains("spec.hashedRekordV002.signature.verifier.publicKey is not a DER SubjectPublicKeyInfo", error.Message);
    }
}
