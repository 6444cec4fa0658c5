using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class QuoteTests
{
    [Fact]
    public void Bounded_QuotesShortText()
    {
        Assert.Equal("\"abc\"", Quote.Bounded("abc"));
    }

    [Fact]
    public void Bounded_ClipsLongText_AndEscapesControls()
    {
        var quoted = Quote.Bounded("a\nb" + new string('x', 500));
        Assert.StartsWith("\"aU+000Ab", quoted);
        Assert.EndsWith("…\"", quoted);
        Assert.True(quoted.Length < 120, quoted);
    }
}
