using RekorPosix.Monitoring;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Monitoring;

public class HttpLogSourceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly StaticLogServer _server;

    public HttpLogSourceTests()
    {
        File.WriteAllText(_dir["checkpoint"], "a checkpoint\n");
        Directory.CreateDirectory(_dir["tile/0"]);
        File.WriteAllBytes(_dir["tile/0/000"], new byte[8192]);
        _server = new StaticLogServer(_dir.Path);
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    public async Task AFile_IsReadUnderThePrefix_WithOrWithoutItsSlash(string slash)
    {
        using var source = new HttpLogSource(_server.Url + slash);
        Assert.Equal("a checkpoint\n"u8.ToArray(), await source.TryReadAsync("checkpoint", 100, CancellationToken.None));
        Assert.Equal(_server.Url, source.Location);
    }

    [Fact]
    public async Task NotFound_IsNull()
    {
        using var source = new HttpLogSource(_server.Url);
        Assert.Null(await source.TryReadAsync("tile/0/000.p/5", 8192, CancellationToken.None));
    }

    [Fact]
    public async Task AFileLargerThanItsKindMayBe_IsAVerificationFailure()
    {
        using var source = new HttpLogSource(_server.Url);
        var error = await Assert.ThrowsAsync<LogVerificationException>(() => source.TryReadAsync("tile/0/000", 4096, CancellationToken.None));
        Assert.Contains("tile/0/000 is at least 8192 bytes", error.Message);
    }

    [Fact]
    public async Task AServerErrorOnce_IsRetried()
    {
        int answered = 0;
        _server.Fault = path => Interlocked.Increment(ref answered) == 1 ? 503 : null;
        using var source = new HttpLogSource(_server.Url);
        Assert.NotNull(await source.TryReadAsync("checkpoint", 100, CancellationToken.None));
        Assert.Equal(["/checkpoint", "/checkpoint"], _server.Requests);
    }

    [Fact]
    public async Task AServerErrorEveryTime_IsAnInputError_AfterThreeAttempts()
    {
        _server.Fault = _ => 500;
        using var source = new HttpLogSource(_server.Url);
        var error = await Assert.ThrowsAsync<MonitorInputException>(() => source.TryReadAsync("checkpoint", 100, CancellationToken.None));
        Assert.Contains("/checkpoint: HTTP 500", error.Message);
        Assert.Contains("(3 attempts)", error.Message);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task AClientErrorOtherThan404_IsAnInputError_AtOnce()
    {
        _server.Fault = _ => 403;
        using var source = new HttpLogSource(_server.Url);
        var error = await Assert.ThrowsAsync<MonitorInputException>(() => source.TryReadAsync("checkpoint", 100, CancellationToken.None));
        Assert.Contains("HTTP 403", error.Message);
        Assert.Single(_server.Requests);
    }

    [Theory]
    [InlineData("ftp://example.com/log")]
    [InlineData("not a url")]
    [InlineData("https://example.com/log?x=1")]
    public void ANonHttpUrl_IsAnInputError(string url)
    {
        var error = Assert.Throws<MonitorInputException>(() => new HttpLogSource(url));
        Assert.Contains("not an http(s) URL prefix", error.Message);
    }
}
