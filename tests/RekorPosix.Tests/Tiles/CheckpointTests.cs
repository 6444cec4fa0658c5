using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class CheckpointTests
{
    private const string Root15 = "rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=";
    private const string Body15 = "example.com/log/testdata\n15\n" + Root15 + "\n";

    [Fact]
    public void FormatsNoteText()
    {
        var checkpoint = new Checkpoint("example.com/log/testdata", 15, Convert.FromBase64String(Root15), []);
        Assert.Equal(Body15, checkpoint.Format());
    }

    [Fact]
    public void FormatsExtensionLines()
    {
        var checkpoint = new Checkpoint("o", 0, Rfc6962.EmptyRoot, ["ext one", "ext two"]);
        Assert.Equal("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n", checkpoint.Format());
    }

    [Fact]
    public void ParsesNoteText()
    {
        var checkpoint = Checkpoint.Parse(Body15);
        Assert.Equal("example.com/log/testdata", checkpoint.Origin);
        Assert.Equal(15, checkpoint.Size);
        Assert.Equal(Convert.FromBase64String(Root15), checkpoint.RootHash);
        Assert.Empty(checkpoint.Extensions);
    }

    [Theory]
    [InlineData(0L, new string[0])]
    [InlineData(1L, new[] { "x" })]
    [InlineData(long.MaxValue, new[] { "first extension", "second — with unicode", "  spaced  " })]
    public void RoundTrips(long size, string[] extensions)
    {
        var root = Rfc6962.LeafHash([1, 2, 3]);
        var checkpoint = new Checkpoint("rekor.example/origin", size, root, extensions);
        string text = checkpoint.Format();
        var parsed = Checkpoint.Parse(text);
        Assert.Equal(checkpoint, parsed);
        Assert.Equal(extensions, parsed.Extensions);
        Assert.Equal(text, parsed.Format());
        Assert.True(Checkpoint.TryParse(text, out var again));
        Assert.Equal(checkpoint, again);
    }

    [Fact]
    public void ComparesByValue()
    {
        var a = new Checkpoint("o", 1, Rfc6962.LeafHash([]), ["e"]);
        var b = new Checkpoint("o", 1, Rfc6962.LeafHash([]), ["e"]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Size = 2 });
        Assert.NotEqual(a, b with { RootHash = Rfc6962.EmptyRoot });
        Assert.NotEqual(a, b with { Extensions = [] });
        Assert.NotEqual(a, b with { Origin = "p" });
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("example.com/log\n15\n" + Root15, "no final newline")]
    [InlineData("example.com/log\n15\n", "two lines")]
    [InlineData("example.com/log\n", "one line")]
    [InlineData("\n15\n" + Root15 + "\n", "empty origin")]
    [InlineData("o\n\n" + Root15 + "\n", "empty size")]
    [InlineData("o\n015\n" + Root15 + "\n", "leading zero")]
    [InlineData("o\n00\n" + Root15 + "\n", "double zero")]
    [InlineData("o\n+15\n" + Root15 + "\n", "plus sign")]
    [InlineData("o\n-15\n" + Root15 + "\n", "minus sign")]
    [InlineData("o\n 15\n" + Root15 + "\n", "leading space")]
    [InlineData("o\n15 \n" + Root15 + "\n", "trailing space")]
    [InlineData("o\n1e3\n" + Root15 + "\n", "exponent")]
    [InlineData("o\n0x1\n" + Root15 + "\n", "hex")]
    [InlineData("o\n١٥\n" + Root15 + "\n", "non-ASCII digits")]
    [InlineData("o\n9223372036854775808\n" + Root15 + "\n", "beyond long.MaxValue")]
    [InlineData("o\n18446744073709551616\n" + Root15 + "\n", "beyond ulong")]
    [InlineData("o\n15\n\n", "empty root")]
    [InlineData("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs\n", "unpadded root")]
    [InlineData("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja_1nk427v383cs=\n", "URL-safe alphabet")]
    [InlineData("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6 Bb7ja/1nk427v383cs=\n", "space inside")]
    [InlineData("o\n15\n rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\n", "leading space in root")]
    [InlineData("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383ct=\n", "non-zero padding bits")]
    [InlineData("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383Q==\n", "31 bytes in 44 chars")]
    [InlineData("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383csB\n", "33 bytes in 44 chars")]
    [InlineData("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383\n", "43 chars")]
    [InlineData("o\n15\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "36 bytes")]
    [InlineData("o\n15\n" + Root15 + "\n\n", "empty extension line")]
    [InlineData("o\n15\n" + Root15 + "\next\n\n", "blank line after extension")]
    [InlineData("o\r\n15\r\n" + Root15 + "\r\n", "CRLF line endings")]
    [InlineData("o\n15\r\n" + Root15 + "\n", "CR in size")]
    [InlineData("o\n15\n" + Root15 + "\n\n— o AAAA\n", "signed note instead of body")]
    public void RejectsMalformedText(string text, string why)
    {
        Assert.False(Checkpoint.TryParse(text, out var checkpoint), why);
        Assert.Null(checkpoint);
        var error = Assert.Throws<FormatException>(() => Checkpoint.Parse(text));
        Assert.StartsWith("Malformed checkpoint: ", error.Message);
    }

    [Fact]
    public void TryParseAcceptsNull() => Assert.False(Checkpoint.TryParse(null!, out _));

    [Fact]
    public void ErrorMessagesSayWhatIsWrong()
    {
        Assert.Contains("tree size", Assert.Throws<FormatException>(() => Checkpoint.Parse("o\n01\n" + Root15 + "\n")).Message);
        Assert.Contains("root hash", Assert.Throws<FormatException>(() => Checkpoint.Parse("o\n1\nAAAA\n")).Message);
        Assert.Contains("line 4 is empty", Assert.Throws<FormatException>(() => Checkpoint.Parse(Body15 + "\n")).Message);
        Assert.Contains("newline", Assert.Throws<FormatException>(() => Checkpoint.Parse(Body15.TrimEnd())).Message);
    }

    [Fact]
    public void FormatRefusesFieldsThatWouldNotParseBack()
    {
        var root = Rfc6962.EmptyRoot;
        Assert.Throws<InvalidOperationException>(() => new Checkpoint("", 1, root, []).Format());
        Assert.Throws<InvalidOperationException>(() => new Checkpoint("a\nb", 1, root, []).Format());
        Assert.Throws<InvalidOperationException>(() => new Checkpoint("o", -1, root, []).Format());
        Assert.Throws<InvalidOperationException>(() => new Checkpoint("o", 1, root[..31], []).Format());
        Assert.Throws<InvalidOperationException>(() => new Checkpoint("o", 1, null!, []).Format());
        Assert.Throws<InvalidOperationException>(() => new Checkpoint("o", 1, root, [""]).Format());
        Assert.Throws<InvalidOperationException>(() => new Checkpoint("o", 1, root, ["a\nb"]).Format());
    }

    [Fact]
    public void ThreeArgumentConstructorHasNoExtensions() =>
        Assert.Equal(Body15, new Checkpoint("example.com/log/testdata", 15, Convert.FromBase64String(Root15)).Format());
}
