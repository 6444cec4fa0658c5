using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class BoundedTextTests
{
    [Fact]
    public void ShortPlainText_IsKept() => Assert.Equal("example.com/log", BoundedText.Of("example.com/log"));

    [Fact]
    public void LongText_IsCut_WithAnEllipsis() => Assert.Equal(new string('a', 10) + "…", BoundedText.Of(new string('a', 1000), 10));

    [Fact]
    public void ControlCharacters_AreSpelledOut_SoNoLineCanBeForged() =>
        Assert.Equal("aU+000Amonitor: verifiedU+001B[0m", BoundedText.Of("a\nmonitor: verified\u001b[0m"));

    [Fact]
    public void Nothing_IsEmpty() => Assert.Equal("", BoundedText.Of(null));
}
