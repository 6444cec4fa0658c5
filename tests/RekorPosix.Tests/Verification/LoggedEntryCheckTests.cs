using System.Text;
using System.Text.Json.Nodes;
using RekorPosix.Signing;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class LoggedEntryCheckTests
{
    private static readonly BundleLogEntry Entry = SigstoreBundle.Parse(LogEntryBundle.FromResponse(File.ReadAllBytes(WorkedExample.ResponsePath))).LogEntries[0];
    private static readonly byte[] Body = Entry.CanonicalizedBody;

    [Fact]
    public void Verify_TheWorkedExample_ProvesIndexZero()
    {
        Assert.Equal(0, LoggedEntryCheck.Verify(Entry, Body, TrustedRoot.Parse(WorkedExample.TrustedRoot), null));
        Assert.Equal("PKIX_ECDSA_P256_SHA_256", LoggedEntryCheck.KeyDetailsOf(Entry));
    }

    [Fact]
    public void Verify_AnotherBody_IsRejected()
    {
        var e = Assert.Throws<BundleRejectedException>(() => LoggedEntryCheck.Verify(Entry, [.. Body, (byte)' '], TrustedRoot.Parse(WorkedExample.TrustedRoot), null));
        Assert.Equal("log entry 0: the logged body is not the one the bundle's digest, signature and key make", e.Message);
    }

    [Fact]
    public void Verify_AnEcdsaLog_NeedsTheOriginOfItsUrl()
    {
        // An ECDSA log ID (SHA-256 of the key) does not commit to the origin: the URL's host must.
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var logKey = LogPublicKey.FromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo());
        var signer = new EcdsaNoteSigner("lab.example", logKey.KeyId("lab.example"), key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var checkpoint = SignedNote.Sign($"lab.example\n1\n{Convert.ToBase64String(RekorPosix.Tiles.Rfc6962.LeafHash(Body))}\n", [signer]);
        var entry = Entry with { LogId = logKey.LogId("lab.example"), Proof = Entry.Proof! with { Checkpoint = checkpoint, RootHash = RekorPosix.Tiles.Rfc6962.LeafHash(Body) } };
        Assert.Equal(0, LoggedEntryCheck.Verify(entry, Body, TrustedRoot.Parse(TrustedRootDocument.Write("lab.example", logKey, DateTimeOffset.UnixEpoch, [], [])), null));
        var elsewhere = JsonNode.Parse(TrustedRootDocument.Write("lab.example", logKey, DateTimeOffset.UnixEpoch, [], []))!;
        elsewhere["tlogs"]![0]!["baseUrl"] = "https://other.example";
        var e = Assert.Throws<BundleRejectedException>(() => LoggedEntryCheck.Verify(entry, Body, TrustedRoot.Parse(Encoding.UTF8.GetBytes(elsewhere.ToJsonString())), null));
        Assert.Equal("log entry 0: checkpoint origin \"lab.example\" is not the origin of log https://other.example", e.Message);
    }

    [Fact]
    public void KeyDetailsOf_ABodyWithoutThem_IsRejected()
    {
        var e = Assert.Throws<BundleRejectedException>(() => LoggedEntryCheck.KeyDetailsOf(Entry with { CanonicalizedBody = Encoding.UTF8.GetBytes("{\"spec\":{}}") }));
        Assert.Equal("log entry 0: the logged body is not a hashedrekord 0.0.2 body with keyDetails", e.Message);
    }
}
