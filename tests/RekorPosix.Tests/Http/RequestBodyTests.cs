using Microsoft.AspNetCore.Http;
using RekorPosix.Http;

namespace RekorPosix.Tests.Http;

/// <summary>Reading a request body up to a limit, with and without an announced length.</summary>
public class RequestBodyTests
{
    private static HttpRequest Request(byte[] body, long? announced)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = announced;
        return context.Request;
    }

    private static byte[] Bytes(int count) => Enumerable.Range(0, count).Select(i => (byte)(i * 7)).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1500)]
    [InlineData(64 * 1024)]
    public async Task ABodyOfAnnouncedLength_IsReadWhole(int size)
    {
        byte[] body = Bytes(size);
        Assert.Equal(body, await RequestBody.ReadAsync(Request(body, size), 1 << 20, default));
    }

    [Theory]
    [InlineData(3000)]
    [InlineData(200 * 1024)]
    public async Task ABodyOfUnknownLength_IsReadWhole(int size)
    {
        byte[] body = Bytes(size);
        Assert.Equal(body, await RequestBody.ReadAsync(Request(body, null), 1 << 20, default));
    }

    [Fact]
    public async Task ALargeAnnouncedBodyUnderTheLimit_IsReadWhole()
    {
        byte[] body = Bytes(300 * 1024);
        Assert.Equal(body, await RequestBody.ReadAsync(Request(body, body.Length), 1 << 20, default));
    }

    [Fact]
    public async Task AnAnnouncedLengthOverTheLimit_IsRefusedBeforeReading()
    {
        var request = Request(Bytes(10), 2000);
        Assert.Null(await RequestBody.ReadAsync(request, 1000, default));
        Assert.Equal(0, request.Body.Position);
    }

    [Fact]
    public async Task ABodyOfUnknownLengthOverTheLimit_IsRefused()
    {
        Assert.Null(await RequestBody.ReadAsync(Request(Bytes(5000), null), 4096, default));
    }

    [Fact]
    public async Task ABodyShorterThanAnnounced_IsReturnedAsItCame()
    {
        // Kestrel fails such a read itself; a stream that just ends gives what arrived.
        Assert.Equal(Bytes(10), await RequestBody.ReadAsync(Request(Bytes(10), 100), 1000, default));
    }
}
