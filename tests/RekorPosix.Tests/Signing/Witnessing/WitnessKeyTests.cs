using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Signing.Witnessing;

public class WitnessKeyTests
{
    /// <summary>A cosignature (0x04) vkey for a 32-byte key, its ID computed as the spec says.</summary>
    internal static string CosignatureVkey(string name, byte fill = 7, byte type = WitnessKey.CosignatureType)
    {
        byte[] key = Enumerable.Repeat(fill, 32).ToArray();
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
        Assert.Equal(Enumerable.Repeat((byte)7, 32), key.PublicKey);
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

    [Theory]
    [InlineData(WitnessKey.MlDsa44Type, "ML-DSA-44")]
    [InlineData(0x02, "not a cosignature key")]
    public void Parse_OtherTypes_AreRefusedByName(byte type, string expected)
    {
        Assert.Contains(expected, Assert.Throws<FormatException>(() => WitnessKey.Parse(CosignatureVkey("w", type: type))).Message);
    }
}
