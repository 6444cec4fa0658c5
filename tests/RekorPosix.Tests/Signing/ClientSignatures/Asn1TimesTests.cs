using System.Formats.Asn1;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Tests.Signing.ClientSignatures;

public class Asn1TimesTests
{
    private static bool IsValid(UniversalTagNumber tag, string text) =>
        Asn1Times.IsValid(new Asn1Tag(tag), TestDer.Time(tag, text));

    [Theory]
    [InlineData("250101000000Z")]
    [InlineData("991231235959Z")]
    [InlineData("000229120000Z")] // 2000 is a leap year
    [InlineData("680229120000Z")] // 2068
    [InlineData("2501010000Z")] // minute precision, which Go tolerates
    [InlineData("250101000000+0130")]
    [InlineData("250101000000-2359")]
    public void UtcTime_Valid(string text) => Assert.True(IsValid(UniversalTagNumber.UtcTime, text));

    [Theory]
    [InlineData("010229000000Z")]
    [InlineData("251301000000Z")]
    [InlineData("250100000000Z")]
    [InlineData("250431000000Z")]
    [InlineData("250101240000Z")]
    [InlineData("250101006000Z")]
    [InlineData("250101000060Z")]
    [InlineData("250101000000+0000")]
    [InlineData("250101000000")]
    [InlineData("20250101000000Z")]
    [InlineData("250101000000z")]
    [InlineData("250101000000.5Z")]
    [InlineData("2501010000+0000")]
    public void UtcTime_Invalid(string text) => Assert.False(IsValid(UniversalTagNumber.UtcTime, text));

    [Theory]
    [InlineData("20250101000000Z")]
    [InlineData("20000229000000Z")]
    [InlineData("00000229000000Z")] // year 0 is a leap year
    [InlineData("20250101000000.5Z")]
    [InlineData("20250101000000.123456789Z")]
    [InlineData("20250101000000+0100")]
    public void GeneralizedTime_Valid(string text) => Assert.True(IsValid(UniversalTagNumber.GeneralizedTime, text));

    [Theory]
    [InlineData("19000229000000Z")]
    [InlineData("20250101000000.50Z")]
    [InlineData("20250101000000.0Z")]
    [InlineData("20250101000000.Z")]
    [InlineData("20250101000000.1234567891Z")]
    [InlineData("202501010000Z")]
    [InlineData("20250101000000-0000")]
    [InlineData("250101000000Z")]
    public void GeneralizedTime_Invalid(string text) => Assert.False(IsValid(UniversalTagNumber.GeneralizedTime, text));

    [Fact]
    public void OtherTags_AreInvalid() => Assert.False(IsValid(UniversalTagNumber.PrintableString, "250101000000Z"));
}
