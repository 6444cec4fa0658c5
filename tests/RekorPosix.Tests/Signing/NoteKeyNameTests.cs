using RekorPosix.Signing;

namespace RekorPosix.Tests.Signing;

public class NoteKeyNameTests
{
    [Theory]
    [InlineData("rekor-local")]
    [InlineData("log2025-1.rekor.sigstore.dev")]
    [InlineData("example.com/log/testdata")]
    [InlineData("ünïcödé")]
    [InlineData("emoji-🌳")]
    [InlineData("a")]
    public void Valid(string name)
    {
        Assert.True(NoteKeyName.IsValid(name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a+b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("a\nb")]
    [InlineData("a\u00a0b")]
    [InlineData("a\u2003b")]
    [InlineData("a\u3000b")]
    [InlineData("a\u2028b")]
    [InlineData("a\u0085b")]
    [InlineData("a\u0000b")]
    public void Invalid(string? name)
    {
        Assert.False(NoteKeyName.IsValid(name));
        Assert.Throws<ArgumentException>(() => NoteKeyName.ThrowIfInvalid(name, "name"));
    }

    [Fact]
    public void LoneSurrogate_Invalid()
    {
        Assert.False(NoteKeyName.IsValid("a" + (char)0xdc00));
        Assert.False(NoteKeyName.IsValid((char)0xd800 + "a"));
    }
}
