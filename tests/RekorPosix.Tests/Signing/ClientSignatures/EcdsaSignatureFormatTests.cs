using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Tests.Signing.ClientSignatures;

public class EcdsaSignatureFormatTests
{
    private static byte[]? ToFixed(byte[] signature, int fieldSize = 32)
    {
        var rs = new byte[2 * fieldSize];
        return EcdsaSignatureFormat.TryToFixedWidth(signature, fieldSize, rs, out _) ? rs : null;
    }

    [Fact]
    public void Der_IsPaddedIntoHalves()
    {
        var rs = ToFixed([0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x02, 0x00, 0x80])!;
        Assert.Equal(5, rs[31]);
        Assert.Equal(0x80, rs[63]);
        Assert.Equal(62, rs.Count(b => b == 0));
    }

    [Fact]
    public void Raw_IsSplitInTheMiddle()
    {
        var rs = ToFixed([0x01, 0x02])!;
        Assert.Equal(1, rs[31]);
        Assert.Equal(2, rs[63]);
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x06, 0x02, 0x01, 0xFF, 0x02, 0x01, 0x01 })] // negative r
    [InlineData(new byte[] { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00 })] // trailing byte
    [InlineData(new byte[] { 0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00 })] // third INTEGER
    public void AsnLookingButNotStrictDer_IsRefused(byte[] signature)
    {
        Assert.Null(ToFixed(signature));
    }

    [Fact]
    public void NonMinimalInteger_IsNotAsnSoItIsReadAsRaw()
    {
        // encoding/asn1 refuses 02 02 00 01, so Go falls back to r ‖ s over all 10 bytes.
        var rs = ToFixed([0x30, 0x08, 0x02, 0x02, 0x00, 0x01, 0x02, 0x02, 0x00, 0x01]);
        Assert.NotNull(rs);
        Assert.Equal(new byte[] { 0x30, 0x08, 0x02, 0x02, 0x00 }, rs[27..32]);
    }

    [Fact]
    public void ValuesWiderThanTheField_AreRefused()
    {
        Assert.Null(ToFixed(new byte[] { 0x01 }.Concat(new byte[65]).Concat(new byte[] { 0x01 }).ToArray()));
        Assert.Null(ToFixed(TestDer.EcdsaSignature([0x01, .. new byte[32]], [0x01])));
    }

    [Fact]
    public void Raw_UpTo132Bytes()
    {
        Assert.NotNull(ToFixed(new byte[132], fieldSize: 66));
        Assert.Null(ToFixed(new byte[134], fieldSize: 67));
    }
}
