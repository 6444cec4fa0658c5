using RekorPosix.Signing;
using Xunit;

namespace RekorPosix.Tests.Signing;

public sealed class VerifierKeyTextTests
{
    [Fact]
    public void Parse_SplitsNameKeyIdAndMaterial()
    {
        // https://c2sp.org/signed-note's example key.
        var parsed = VerifierKeyText.Parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");

        Assert.Equal("example.com/foo", parsed.Name);
        Assert.Equal(0x530d903au, parsed.KeyId);
        Assert.Equal(0x01, parsed.Type);
        Assert.Equal(32, parsed.Key.Length);
    }

    [Fact]
    public void Parse_KeepsAPlusInsideTheBase64()
    {
        var parsed = VerifierKeyText.Parse("n+00000000+A+8=");

        Assert.Equal([0x03, 0xef], parsed.Material);
    }

    [Theory]
    [InlineData("n+00000000", "expected <name>+<key ID>+<key>")]
    [InlineData("a b+00000000+AQ==", "invalid key name")]
    [InlineData("n+0000000+AQ==", "8 hex digits")]
    [InlineData("n+0000000x+AQ==", "8 hex digits")]
    [InlineData("n+00000000+", "not valid base64")]
    [InlineData("n+00000000+A Q==", "not valid base64")]
    [InlineData("n+00000000+!!", "not valid base64")]
    public void Parse_RefusesMalformedKeys(string vkey, string expected)
    {
        Assert.Contains(expected, Assert.Throws<FormatException>(() => VerifierKeyText.Parse(vkey)).Message, StringComparison.Ordinal);
    }
}
