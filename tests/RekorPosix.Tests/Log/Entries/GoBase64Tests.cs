using RekorPosix.Log.Entries;

namespace RekorPosix.Tests.Log.Entries;

public class GoBase64Tests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("AQID", "010203")]
    [InlineData("AQI=", "0102")]
    [InlineData("AQ==", "01")]
    [InlineData("AQI", "0102")]
    [InlineData("AQ", "01")]
    [InlineData("-_8=", "fbff")]
    [InlineData("-_8", "fbff")]
    [InlineData("+/8=", "fbff")]
    [InlineData("AQ\nID", "010203")]
    [InlineData("AQ=\r\n=\n\n", "01")] // newlines count towards the length that selects padded mode
    [InlineData("AQ==\n\n\n\n", "01")]
    [InlineData("\nAQID", "010203")]
    [InlineData("AQID\n", "010203")] // length 5 selects unpadded mode; the newline is dropped
    [InlineData("AR==", "01")] // non-zero trailing bits are tolerated (Go's non-strict mode)
    public void Decodes(string text, string hex)
    {
        Assert.True(GoBase64.TryDecode(text, out var bytes));
        Assert.Equal(hex, Convert.ToHexStringLower(bytes));
    }

    [Theory]
    [InlineData("A")]
    [InlineData("AQ=")] // length 3: unpadded mode, '=' not allowed
    [InlineData("AQI==")]
    [InlineData("AQ==AQ==")]
    [InlineData("A===")]
    [InlineData("=AAA")]
    [InlineData("AQ=A")]
    [InlineData("-/8=")] // URL-safe alphabet chosen, '/' is not in it
    [InlineData("AQ ID")]
    [InlineData("AQ\tI")]
    [InlineData("AQIé")]
    [InlineData("AQ==\n\n")] // length 6 selects unpadded mode, where '=' is not allowed
    public void Refuses(string text)
    {
        Assert.False(GoBase64.TryDecode(text, out _));
    }
}
