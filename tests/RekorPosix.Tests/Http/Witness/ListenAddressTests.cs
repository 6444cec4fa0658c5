using RekorPosix.Http.Witness;

namespace RekorPosix.Tests.Http.Witness;

public class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:8100", "127.0.0.1", 8100)]
    [InlineData(":8100", "", 8100)]
    [InlineData("localhost:1", "localhost", 1)]
    [InlineData("[::1]:65535", "::1", 65535)]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80)]
    public void Parse_TakesHostAndPort(string text, string host, int port)
    {
        Assert.Equal(new ListenAddress(host, port), ListenAddress.Parse(text));
    }

    [Theory]
    [InlineData("8100")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:+80")]
    [InlineData("::1:8100")]
    [InlineData("example.org:8100")]
    [InlineData("1:8100")]
    public void Parse_RefusesWhatIsNotHostPort(string text)
    {
        Assert.Throws<FormatException>(() => ListenAddress.Parse(text));
    }

    [Fact]
    public void ToString_BracketsIPv6()
    {
        Assert.Equal("[::1]:8100", ListenAddress.Parse("[::1]:8100").ToString());
        Assert.Equal(":8100", ListenAddress.Parse(":8100").ToString());
    }
}
