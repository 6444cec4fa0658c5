using Org.BouncyCastle.Crypto.Parameters;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Signing.Witnessing;

public class WitnessKeyTests
{
    /// <summary>The Ed25519 public key of a seed of <paramref name="fill"/> bytes.</summary>
    internal static byte[] Ed25519Key(byte fill) =>
        new Ed25519PrivateKeyParameters(Enumerable.Repeat(fill, 32).ToArray()).GeneratePublicKey().GetEncoded();

    /// <summary>A cosignature (0x04) vkey for a 32-byte key, its ID computed as the spec says.</summary>
    internal static string CosignatureVkey(string name, byte fill = 7, byte type = WitnessKey.CosignatureType)
    {
        byte[] key = Ed25519Key(fill);
        return $"{name}+{WitnessKey.IdOf(name, type, key):x8}+{Convert.ToBase64String([type, .. key])}";
    }

    [Fact]
    public void IdOf_MatchesTheKeyIdGoComputedForTesserasTestKey()
    {
        // example.com/log/testdata+33d7b496+<0x01 ‖ key>: the ID Go's note package wrote.
        byte[] material = Convert.FromBase64String(TestData.TesseraVkey.Split('+', 3)[2]);
        Assert.Equal(0x33d7b496u, WitnessKey.IdOf(TestData.TesseraOrigin, material[0], material.AsSpan(1)));
    }

    [Fact]
    public void Parse_ACosignatureKey_KeepsNameIdAndKey()
    {
        var key = WitnessKey.Parse(CosignatureVkey("witness.example/w1"));

        Assert.Equal("witness.example/w1", key.Name);
        Assert.Equal(WitnessKey.IdOf("witness.example/w1", 0x04, key.PublicKey), key.KeyId);
        Assert.Equal(Ed25519Key(7), key.PublicKey);
    }

    [Fact]
    public void Parse_AnEd25519NoteKey_IsTakenAsTheCosignatureKey_ItsIdRecomputed()
    {
        var key = WitnessKey.Parse(TestData.TesseraVkey);

        Assert.NotEqual(0x33d7b496u, key.KeyId);
        Assert.Equal(WitnessKey.IdOf(TestData.TesseraOrigin, WitnessKey.CosignatureType, key.PublicKey), key.KeyId);
    }

    [Theory]
    [InlineData("no-plus-signs", "expected <name>+<key ID>+<key>")]
    [InlineData("name+1234567+AQ==", "not 8 hex digits")]
    [InlineData("name+1234567g+AQ==", "not 8 hex digits")]
    [InlineData("name+12345678+!!!", "not valid base64")]
    [InlineData("na me+12345678+AQ==", "invalid key name")]
    public void Parse_Malformed_IsRefused(string vkey, string expected)
    {
        Assert.Contains(expected, Assert.Throws<FormatException>(() => WitnessKey.Parse(vkey)).Message);
    }

    [Fact]
    public void Parse_AWrongKeyId_IsRefused()
    {
        string good = CosignatureVkey("w");
        string bad = "w+00000000+" + good.Split('+', 3)[2];

        Assert.Contains("does not match", Assert.Throws<FormatException>(() => WitnessKey.Parse(bad)).Message);
    }

    [Fact]
    public void Parse_AKeyOfAnotherLength_IsRefused()
    {
        byte[] key = new byte[31];
        string vkey = $"w+{WitnessKey.IdOf("w", 4, key):x8}+{Convert.ToBase64String([4, .. key])}";

        Assert.Contains("32 bytes", Assert.Throws<FormatException>(() => WitnessKey.Parse(vkey)).Message);
    }

    [Fact]
    public void Parse_AnEd25519KeyThatIsNotAPoint_IsRefused()
    {
        // y = 2 has no x on edwards25519 (RFC 8032 §5.1.3 decoding fails).
        byte[] key = new byte[32];
        key[0] = 2;
        string vkey = $"w+{WitnessKey.IdOf("w", 4, key):x8}+{Convert.ToBase64String([4, .. key])}";

        Assert.Contains("not a point", Assert.Throws<FormatException>(() => WitnessKey.Parse(vkey)).Message);
    }

    [Fact]
    public void Parse_AnMlDsa44Key_KeepsType06_AndItsId()
    {
        var cosigner = TestWitness.MlDsa44("witness.example/ml", TimeProvider.System);

        var key = WitnessKey.Parse(cosigner.VerifierKey);

        Assert.Equal(("witness.example/ml", WitnessKey.MlDsa44Type), (key.Name, key.Type));
        Assert.Equal(WitnessKey.IdOf("witness.example/ml", 0x06, cosigner.PublicKey), key.KeyId);
        Assert.Equal(cosigner.PublicKey, key.PublicKey);
        Assert.IsType<MlDsaCosignatureVerifier>(key.CreateVerifier());
    }

    [Fact]
    public void Parse_Ed25519Keys_AreType04_AndVerifyCosignatureV1()
    {
        Assert.Equal(WitnessKey.CosignatureType, WitnessKey.Parse(TestData.TesseraVkey).Type);
        Assert.IsType<CosignatureVerifier>(WitnessKey.Parse(CosignatureVkey("w")).CreateVerifier());
    }

    [Theory]
    [InlineData(WitnessKey.MlDsa44Type, "an ML-DSA-44 key has 1312 bytes, not 32")]
    [InlineData(0x02, "not a cosignature key")]
    public void Parse_OtherTypesOrLengths_AreRefusedByName(byte type, string expected)
    {
        Assert.Contains(expected, Assert.Throws<FormatException>(() => WitnessKey.Parse(CosignatureVkey("w", type: type))).Message);
    }
}
