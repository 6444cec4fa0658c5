using RekorPosix.Http.ReadPath;
using System.Text;
using RekorPosix.Http.TileServer;

namespace RekorPosix.Tests.Http.TileServer;

public class ResponseHeadsTests
{
    private static readonly byte[] Date = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"u8.ToArray();

    [Fact]
    public void ATile_HasTheImmutableHeaders()
    {
        var buffer = new byte[ResponseHeads.MaxLength];
        int n = ResponseHeads.WriteFound(buffer, Date, ReadKind.Tile, 8192, ConnectionLine.None);
        Assert.Equal(
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: application/octet-stream\r\n" +
            "Cache-Control: public, max-age=31536000, immutable\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 8192\r\n\r\n",
            Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public void TheCheckpoint_IsTextAndRevalidated()
    {
        var buffer = new byte[ResponseHeads.MaxLength];
        int n = ResponseHeads.WriteFound(buffer, Date, ReadKind.Checkpoint, 181, ConnectionLine.KeepAlive);
        Assert.Equal(
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/plain; charset=utf-8\r\n" +
            "Cache-Control: no-cache\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 181\r\nConnection: keep-alive\r\n\r\n",
            Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Theory]
    [InlineData(400, "Bad Request")]
    [InlineData(404, "Not Found")]
    [InlineData(405, "Method Not Allowed")]
    [InlineData(413, "Content Too Large")]
    [InlineData(414, "URI Too Long")]
    [InlineData(431, "Request Header Fields Too Large")]
    [InlineData(500, "Internal Server Error")]
    [InlineData(505, "HTTP Version Not Supported")]
    public void Errors_AreShortUncachedText(int status, string reason)
    {
        var buffer = new byte[ResponseHeads.MaxLength];
        string text = Encoding.ASCII.GetString(buffer, 0, ResponseHeads.WriteError(buffer, Date, status, isHead: false, ConnectionLine.Close));
        Assert.StartsWith($"HTTP/1.1 {status} {reason}\r\n", text);
        Assert.Contains("\r\nCache-Control: no-store\r\n", text);
        Assert.Contains("\r\nContent-Type: text/plain; charset=utf-8\r\n", text);
        Assert.Contains($"\r\nContent-Length: {reason.Length + 1}\r\nConnection: close\r\n\r\n{reason}\n", text);
        Assert.Equal(status == 405, text.Contains("\r\nAllow: GET, HEAD\r\n", StringComparison.Ordinal));
        Assert.EndsWith($"\r\n\r\n{reason}\n", text);
    }

    [Fact]
    public void AHeadError_KeepsItsLength_ButHasNoBody()
    {
        var buffer = new byte[ResponseHeads.MaxLength];
        string text = Encoding.ASCII.GetString(buffer, 0, ResponseHeads.WriteError(buffer, Date, 404, isHead: true, ConnectionLine.None));
        Assert.EndsWith("Content-Length: 10\r\n\r\n", text);
    }
}
