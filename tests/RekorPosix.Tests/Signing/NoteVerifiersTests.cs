using System.Numerics;
using System.Text;
using RekorPosix.Signing;

namespace RekorPosix.Tests.Signing;

public class NoteVerifiersTests
{
    private const string C2spVkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    private const string RekorVkey = "rekor-local+d80b4420+AURLycjWRo1+gdwwCLg9wU4PayMFdNBmPF4ORVPiBQ1E";

    // An OpenSSL P-256 key as a type 0x02 verifier key, and its `openssl dgst -sha256 -sign` signature of SignedText.
    private const string EcdsaVkey =
        "ecdsa.example+76e9564f+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABKBw4UWr7XS+V/cR8ERveDWZyFXMGVU40UgAn2IPeZ9gYBuJfzrGE4R+2L6ssLrGBK5mGbLLZlRu1Crpcg+EhEk=";
    private const string SignedText = "example/log\n1\nAAAA\n";
    private const string EcdsaSignature =
        "MEUCICD/XZ1S90CyVpDRlzlod5YaYew7+PzFG/tkObyK1w52AiEAmdtEcxHqCXrmYx7TUqWMQwEZzl0Rjrdcbfryj7kpTqA=";

    private static string TestData(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "testdata", .. parts]);

    [Fact]
    public void FromVerifierKey_C2spExample()
    {
        INoteVerifier verifier = NoteVerifiers.FromVerifierKey(C2spVkey);

        Assert.Equal("example.com/foo", verifier.Name);
        Assert.Equal(0x530d903au, verifier.KeyId);
        Assert.True(verifier.Verify(
            "This is an example message.\n"u8,
            Convert.FromBase64String("Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=")[4..]));
    }

    [Fact]
    public void FromVerifierKey_UppercaseHexKeyId_Accepted()
    {
        Assert.Equal(0x530d903au, NoteVerifiers.FromVerifierKey(C2spVkey.Replace("530d903a", "530D903A", StringComparison.Ordinal)).KeyId);
    }

    [Fact]
    public void FromVerifierKey_XmodVkeyFile()
    {
        string vkey = File.ReadAllText(TestData("xmod-log", "vkey")).Trim();
        INoteVerifier verifier = NoteVerifiers.FromVerifierKey(vkey);

        Assert.Equal("xmod.example/testlog", verifier.Name);
        Assert.Equal(0x578277d8u, verifier.KeyId);
    }

    [Fact]
    public void FromVerifierKey_Ecdsa_VerifiesOpenSslSignature_AnyNameSameId()
    {
        INoteVerifier verifier = NoteVerifiers.FromVerifierKey(EcdsaVkey);
        INoteVerifier renamed = NoteVerifiers.FromVerifierKey(EcdsaVkey.Replace("ecdsa.example", "renamed", StringComparison.Ordinal));

        Assert.True(verifier.Verify(Encoding.UTF8.GetBytes(SignedText), Convert.FromBase64String(EcdsaSignature)));
        Assert.Equal(verifier.KeyId, renamed.KeyId);
        Assert.Equal("renamed", renamed.Name);
    }

    [Fact]
    public void FromPublicKeyPem_SameIdentityAsVerifierKey()
    {
        INoteVerifier fromPem = NoteVerifiers.FromPublicKeyPem(
            File.ReadAllText(TestData("rekor-tiles-pki", "ed25519-pub-key.pem")), "rekor-local");
        INoteVerifier fromVkey = NoteVerifiers.FromVerifierKey(RekorVkey);

        Assert.Equal(fromVkey.Name, fromPem.Name);
        Assert.Equal(fromVkey.KeyId, fromPem.KeyId);
        Assert.Equal(0xd80b4420u, fromPem.KeyId);
    }

    [Fact]
    public void FromPublicKeyPem_InvalidOrigin_Throws()
    {
        Assert.Throws<ArgumentException>(() => NoteVerifiers.FromPublicKeyPem(
            File.ReadAllText(TestData("rekor-tiles-pki", "ed25519-pub-key.pem")), "rekor local"));
    }

    [Fact]
    public void FromPublicKeyPem_NotAPublicKey_Throws()
    {
        Assert.Throws<KeyFileException>(() => NoteVerifiers.FromPublicKeyPem("nothing", "origin"));
    }

    [Fact]
    public void Ed25519_MalleatedSignature_Rejected()
    {
        // S + L verifies under a naive check of the group equation; RFC 8032 and BouncyCastle require S < L.
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        byte[] message = "log\n1\nAAAA\n"u8.ToArray();
        byte[] signature = key.CreateNoteSigner("log").Sign(message);
        INoteVerifier verifier = NoteVerifiers.FromVerifierKey(key.VerifierKey("log"));
        BigInteger order = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");
        BigInteger s = new(signature.AsSpan(32), isUnsigned: true, isBigEndian: false);
        byte[] malleated = [.. signature[..32], .. new byte[32]];
        (s + order).TryWriteBytes(malleated.AsSpan(32), out _, isUnsigned: true, isBigEndian: false);

        Assert.True(verifier.Verify(message, signature));
        Assert.NotEqual(signature, malleated);
        Assert.False(verifier.Verify(message, malleated));
    }

    [Fact]
    public void Ed25519_WrongLengthSignature_Rejected()
    {
        INoteVerifier verifier = NoteVerifiers.FromVerifierKey(C2spVkey);
        Assert.False(verifier.Verify("x"u8, new byte[63]));
        Assert.False(verifier.Verify("x"u8, new byte[65]));
    }

    [Theory]
    [InlineData("", "expected")]
    [InlineData("example.com/foo", "expected")]
    [InlineData("example.com/foo+530d903a", "expected")]
    [InlineData("+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "invalid key name")]
    [InlineData("exa mple+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "invalid key name")]
    [InlineData("example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "8 hex digits")]
    [InlineData("example.com/foo+530d903g+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "8 hex digits")]
    [InlineData("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2", "base64")]
    [InlineData("example.com/foo+530d903a+", "base64")]
    [InlineData("example.com/foo+530d903a+Aeky eRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "base64")]
    [InlineData("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "does not match")]
    [InlineData("example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "does not match")]
    [InlineData("example.com/foo+530d903a+BOkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "unsupported verifier key type 0x04")]
    [InlineData("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3Q==", "32 bytes")]
    [InlineData("example.com/foo+530d903a+AQIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Ed25519")]
    public void FromVerifierKey_Malformed_Throws(string vkey, string expected)
    {
        FormatException e = Assert.Throws<FormatException>(() => NoteVerifiers.FromVerifierKey(vkey));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromVerifierKey_TypeMismatches_Throw()
    {
        LogPublicKey ed = LogPublicKey.FromPem(File.ReadAllText(TestData("rekor-tiles-pki", "ed25519-pub-key.pem")));
        string edSpki = Convert.ToBase64String(ed.SubjectPublicKeyInfo);
        byte[] ecSpki = Convert.FromBase64String(EcdsaVkey.Split('+', 3)[2])[1..];

        // Type 0x02 holding an Ed25519 key, 0xff holding an EC key, 0xff with an unknown identifier.
        Assert.Throws<FormatException>(() => NoteVerifiers.FromVerifierKey(
            $"x+00000000+{Convert.ToBase64String([0x02, .. Convert.FromBase64String(edSpki)])}"));
        Assert.Throws<FormatException>(() => NoteVerifiers.FromVerifierKey(
            $"x+00000000+{Convert.ToBase64String([0xff, .. "PKIX-RSA-PKCS#1v1.5"u8, .. ecSpki])}"));
        var e = Assert.Throws<FormatException>(() => NoteVerifiers.FromVerifierKey(
            $"x+00000000+{Convert.ToBase64String([0xff, .. "PKIX-RSA-PSS"u8, .. ecSpki])}"));
        Assert.Contains("PKIX-RSA-PKCS#1v1.5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromVerifierKey_RsaRoundTrip()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        using LogSigningKey key = LogSigningKey.FromPem(rsa.ExportRSAPrivateKeyPem());
        string vkey = key.VerifierKey("rsa.example");
        string note = SignedNote.Sign("rsa.example\n1\nAAAA\n", [key.CreateNoteSigner("rsa.example")]);

        INoteVerifier verifier = NoteVerifiers.FromVerifierKey(vkey);

        Assert.Equal(key.KeyId("rsa.example"), verifier.KeyId);
        Assert.Equal("rsa.example\n1\nAAAA\n", SignedNote.Open(note, [verifier]));
        Assert.Throws<FormatException>(() => NoteVerifiers.FromVerifierKey(vkey.Replace("rsa.example", "other", StringComparison.Ordinal)));
    }
}
