using System.Buffers.Binary;
using System.Text;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;
using Xunit;

namespace RekorPosix.Tests.Signing.Witnessing;

public sealed class CosignerTests
{
    private const string Text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    [Fact]
    public void Sign_IsTheTimestampThenEd25519OverTheCosignatureMessage_AsOpenSslChecksIt()
    {
        using var key = LogSigningKey.GenerateEd25519();
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1679315147));
        var cosigner = key.CreateCosigner("witness.example.com/w1", clock);

        byte[] signature = cosigner.Sign(Encoding.UTF8.GetBytes(Text));

        Assert.Equal(72, signature.Length);
        Assert.Equal(1679315147UL, BinaryPrimitives.ReadUInt64BigEndian(signature));
        using var dir = new TempDir();
        File.WriteAllText(dir["pub.pem"], key.PublicKeyPem);
        File.WriteAllBytes(dir["msg"], Encoding.UTF8.GetBytes("cosignature/v1\ntime 1679315147\n" + Text));
        File.WriteAllBytes(dir["sig"], signature[8..]);
        var (code, _, err) = OpenSsl.Run("pkeyutl", "-verify", "-pubin", "-inkey", dir["pub.pem"], "-rawin", "-in", dir["msg"], "-sigfile", dir["sig"]);
        Assert.True(code == 0, err);
    }

    [Fact]
    public void KeyIdAndVerifierKey_UseType04()
    {
        using var key = LogSigningKey.GenerateEd25519();
        var cosigner = key.CreateCosigner("w.example", TimeProvider.System);

        var parsed = WitnessKey.Parse(cosigner.VerifierKey);

        Assert.Equal(WitnessKey.IdOf("w.example", 0x04, cosigner.PublicKey), cosigner.KeyId);
        Assert.Equal(cosigner.KeyId, parsed.KeyId);
        Assert.Equal(cosigner.PublicKey, parsed.PublicKey);
        Assert.NotEqual(key.KeyId("w.example"), cosigner.KeyId);
    }

    [Fact]
    public void SignatureLine_NamesTheWitnessAndCarries76Bytes()
    {
        using var key = LogSigningKey.GenerateEd25519();
        var cosigner = key.CreateCosigner("w.example", TimeProvider.System);

        string line = SignedNote.SignatureLine(cosigner, Text);

        Assert.StartsWith("\u2014 w.example ", line, StringComparison.Ordinal);
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        byte[] payload = Convert.FromBase64String(line["\u2014 w.example ".Length..^1]);
        Assert.Equal(76, payload.Length);
        Assert.Equal(cosigner.KeyId, BinaryPrimitives.ReadUInt32BigEndian(payload));
    }

    [Fact]
    public void AnEcdsaKey_CannotCosign()
    {
        using var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var key = LogSigningKey.FromPem(ecdsa.ExportPkcs8PrivateKeyPem());
        Assert.Throws<KeyFileException>(() => key.CreateCosigner("w", TimeProvider.System));
    }
}
