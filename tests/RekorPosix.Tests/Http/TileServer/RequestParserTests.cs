using System.Text;
using RekorPosix.Http.TileServer;

namespace RekorPosix.Tests.Http.TileServer;

public class RequestParserTests
{
    private static readonly TileListenerLimits Limits = TileListenerLimits.Default;

    private static ParseResult Parse(string text, out RequestHead head, out int status) =>
        RequestParser.TryParse(Encoding.Latin1.GetBytes(text), Limits, out head, out status);

    [Fact]
    public void AGet_IsParsed_WithItsPathAndLength()
    {
        string text = "GET /tile/0/000?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\nGET /next";
        Assert.Equal(ParseResult.Complete, Parse(text, out var head, out _));
        Assert.True(head.IsGet);
        Assert.False(head.IsHead);
        Assert.Equal("/tile/0/000", text.Substring(head.PathStart, head.PathLength));
        Assert.Equal(text.IndexOf("GET /next", StringComparison.Ordinal), head.Length);
        Assert.True(head.KeepAlive);
        Assert.False(head.AnnounceKeepAlive);
    }

    [Theory]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", true, false)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false, false)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n\r\n", true, false)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nconnection: TE, CLOSE\r\n\r\n", false, false)]
    [InlineData("GET /checkpoint HTTP/1.0\r\n\r\n", false, false)]
    [InlineData("GET /checkpoint HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true, true)]
    [InlineData("GET /checkpoint HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: a\r\n\r\n", true, true)]
    [InlineData("HEAD /checkpoint HTTP/1.1\nHost: a\n\n", true, false)]
    [InlineData("\r\n\r\nGET /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", true, false)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", true, false)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost:\r\nX-Empty:\r\n\r\n", true, false)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nX-Bin: caf\xe9\r\n\r\n", true, false)]
    public void KeepAlive_FollowsTheVersionAndConnectionHeader(string text, bool keepAlive, bool announce)
    {
        Assert.Equal(ParseResult.Complete, Parse(text, out var head, out _));
        Assert.Equal(keepAlive, head.KeepAlive);
        Assert.Equal(announce, head.AnnounceKeepAlive);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET")]
    [InlineData("GET /checkpoint HTTP/1.1")]
    [InlineData("GET /checkpoint HTTP/1.1\r\n")]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\n")]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\n\r")]
    [InlineData("\r\n")]
    public void PartialHeads_WantMore(string text)
    {
        Assert.Equal(ParseResult.Incomplete, Parse(text, out _, out _));
    }

    [Theory]
    // Request line
    [InlineData("GET /checkpoint\r\n\r\n", 400)] // HTTP/0.9
    [InlineData("GET  /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /checkpoint  HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1 \r\nHost: a\r\n\r\n", 400)]
    [InlineData(" GET /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET\t/checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("G@T /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /check point HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /checkpoint#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /caf\xe9 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET http://example.com/checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /checkpoint http/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/2.0\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET /checkpoint HTTP/1.2\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET /checkpoint HTTP/0.9\r\nHost: a\r\n\r\n", 505)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505)]
    [InlineData("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\n", 400)] // a TLS ClientHello
    // Headers
    [InlineData("GET /checkpoint HTTP/1.1\r\n\r\n", 400)] // no Host
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost : a\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\n X-Folded: b\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\n: empty-name\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nX\u00e9: b\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\n\rX: b\r\n\r\n", 400)]
    // Bodies
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 413)]
    [InlineData("POST /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n", 413)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: 1,1\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("GET /checkpoint HTTP/1.1\r\nHost: a\r\ntransfer-encoding: identity\r\n\r\n", 400)]
    public void MalformedHeads_AreRefusedWithTheirStatus(string text, int status)
    {
        Assert.Equal(ParseResult.Invalid, Parse(text, out _, out int actual));
        Assert.Equal(status, actual);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    [InlineData("TRACE")]
    [InlineData("CONNECT")]
    [InlineData("PATCH")]
    [InlineData("get")]
    [InlineData("BREW")]
    public void OtherMethods_AreParsed_SoThatTheyGet405(string method)
    {
        Assert.Equal(ParseResult.Complete, Parse($"{method} /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", out var head, out _));
        Assert.False(head.IsRead);
    }

    [Fact]
    public void OptionsStar_IsParsed_SoThatItGets405()
    {
        Assert.Equal(ParseResult.Complete, Parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", out var head, out _));
        Assert.False(head.IsRead);
    }

    [Fact]
    public void ALongRequestLine_Is414_EvenBeforeItEnds()
    {
        string line = "GET /" + new string('a', Limits.MaxRequestLine) ;
        Assert.Equal(ParseResult.Invalid, Parse(line, out _, out int status));
        Assert.Equal(414, status);
        Assert.Equal(ParseResult.Invalid, Parse(line + " HTTP/1.1\r\nHost: a\r\n\r\n", out _, out status));
        Assert.Equal(414, status);
    }

    [Fact]
    public void ALongHead_Is431()
    {
        string head = "GET /checkpoint HTTP/1.1\r\nHost: a\r\nX-Big: " + new string('a', Limits.MaxHeadBytes) + "\r\n\r\n";
        Assert.Equal(ParseResult.Invalid, Parse(head, out _, out int status));
        Assert.Equal(431, status);
    }

    [Fact]
    public void TooManyHeaders_Is431()
    {
        var text = new StringBuilder("GET /checkpoint HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < Limits.MaxHeaders; i++)
            text.Append("X-").Append(i).Append(": v\r\n");
        text.Append("\r\n");
        Assert.Equal(ParseResult.Invalid, Parse(text.ToString(), out _, out int status));
        Assert.Equal(431, status);
    }

    [Fact]
    public void ExactlyTheHeaderLimit_IsFine()
    {
        var text = new StringBuilder("GET /checkpoint HTTP/1.1\r\nHost: a\r\n");
        for (int i = 1; i < Limits.MaxHeaders; i++)
            text.Append("X-").Append(i).Append(": v\r\n");
        text.Append("\r\n");
        Assert.Equal(ParseResult.Complete, Parse(text.ToString(), out _, out _));
    }
}
