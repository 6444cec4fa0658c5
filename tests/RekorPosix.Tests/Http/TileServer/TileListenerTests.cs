using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http.ReadPath;
using RekorPosix.Http.TileServer;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http.TileServer;

/// <summary>The tile listener and the API port's read routes, against a real server over a
/// published log of more than 512 entries.</summary>
public class TileListenerTests(PublishedLogFixture log) : IClassFixture<PublishedLogFixture>
{
    private const string TileType = "application/octet-stream";
    private const string TileCache = "public, max-age=31536000, immutable";

    private RunningServer Server => log.Server;
    private int TilesPort => Server.Settings.TilesPort;
    private byte[] Disk(string path) => File.ReadAllBytes(Path.Combine(log.Dir, path));

    private static string? Raw(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    private static void AssertReadHeaders(HttpResponseMessage response, bool isCheckpoint, long length, string what)
    {
        Assert.True(HttpStatusCode.OK == response.StatusCode, $"{what}: {response.StatusCode}");
        Assert.Equal(isCheckpoint ? "text/plain; charset=utf-8" : TileType, Raw(response, "Content-Type"));
        Assert.Equal(isCheckpoint ? "no-cache" : TileCache, Raw(response, "Cache-Control"));
        Assert.Equal("*", Raw(response, "Access-Control-Allow-Origin"));
        Assert.Equal(length.ToString(System.Globalization.CultureInfo.InvariantCulture), Raw(response, "Content-Length"));
    }

    [Fact]
    public Task EveryPublicFile_ThroughBothPorts_EqualsTheFileOnDisk() => CompareEveryPublicFile(Server);

    [Fact]
    public async Task EveryPublicFile_ReadFromDiskEachTime_EqualsTheFileOnDisk()
    {
        await using var server = await RunningServer.StartAsync(log.Dir, s => s with { ReadOnly = true, TilesCacheBytes = 0 });
        await CompareEveryPublicFile(server);
    }

    private async Task CompareEveryPublicFile(RunningServer server)
    {
        using var tiles = new HttpClient { BaseAddress = server.TilesAddress };
        var files = log.PublicFiles().ToList();
        // Two full bundles and tiles, partials of many widths, the level-1 partial, the checkpoint.
        Assert.Contains("checkpoint", files);
        Assert.Contains("tile/0/001", files);
        Assert.Contains("tile/entries/001", files);
        Assert.Contains("tile/entries/002.p/188", files);
        Assert.Contains("tile/1/000.p/2", files);
        Assert.True(files.Count > 40, $"only {files.Count} files");
        foreach (string file in files)
        {
            byte[] disk = Disk(file);
            foreach (var (client, url) in new[] { (tiles, "/" + file), (tiles, "/api/v2/" + file), (server.Http, "/api/v2/" + file) })
            {
                using var response = await client.GetAsync(url);
                AssertReadHeaders(response, file == "checkpoint", disk.Length, $"{client.BaseAddress}{url}");
                byte[] body = await response.Content.ReadAsByteArrayAsync();
                Assert.True(disk.AsSpan().SequenceEqual(body), $"{client.BaseAddress}{url} differs from the file");
            }
        }
    }

    [Theory]
    [InlineData("checkpoint")]
    [InlineData("tile/0/000")]
    [InlineData("tile/entries/002.p/188")]
    public async Task Head_AnnouncesTheLength_WithoutABody(string file)
    {
        using var tiles = new HttpClient { BaseAddress = Server.TilesAddress };
        foreach (var (client, url) in new[] { (tiles, "/" + file), (tiles, "/api/v2/" + file), (Server.Http, "/api/v2/" + file) })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
            AssertReadHeaders(response, file == "checkpoint", Disk(file).Length, url);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [InlineData("tile/0/002")]
    [InlineData("tile/0/002.p/200")]
    [InlineData("tile/0/002.p/189")]
    [InlineData("tile/entries/002")]
    [InlineData("tile/entries/003")]
    [InlineData("tile/1/000")]
    [InlineData("tile/2/000.p/1")]
    [InlineData("tile/0/000.p/.tmp.123456")]
    [InlineData(".state/treeState")]
    [InlineData(".state/version")]
    [InlineData(".state/antispam.db")]
    public async Task UnpublishedAndPrivateFiles_Are404OnBothPorts(string file)
    {
        using var tiles = new HttpClient { BaseAddress = Server.TilesAddress };
        foreach (var (client, url) in new[] { (tiles, "/" + file), (tiles, "/api/v2/" + file), (Server.Http, "/api/v2/" + file) })
        {
            using var response = await client.GetAsync(url);
            Assert.True(HttpStatusCode.NotFound == response.StatusCode, $"{url}: {response.StatusCode}");
        }
    }

    [Theory]
    // Kestrel decodes and normalises the path; the read routes look at the target as sent.
    [InlineData("/api/v2/tile/0/%30%30%30")]
    [InlineData("/api/v2/%63heckpoint")]
    [InlineData("/api/v2/tile/../checkpoint")]
    [InlineData("/api/v2/tile/0/../0/000")]
    [InlineData("/api/v2/tile/%2e%2e/%2e%2e/.state/treeState")]
    [InlineData("/api/v2/tile/0/002")]
    [InlineData("/api/v2/tile/x/000")]
    // The root paths belong to the tile listener; the API port keeps rekor-tiles' routes.
    [InlineData("/checkpoint")]
    [InlineData("/tile/0/000")]
    public void TheApiPort_AnswersNotFound_InTheGatewayShape(string target)
    {
        using var connection = RawHttpConnection.Open(Server.Settings.HttpPort);
        connection.Request(target);
        var response = connection.ReadResponse();
        Assert.Equal(404, response.Status);
        Assert.Equal("{\"code\":5,\"message\":\"Not Found\",\"details\":[]}", Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public async Task TheApiPort_AnswersOtherMethodsAsTheGatewayDoes()
    {
        using var post = await Server.Http.PostAsync("/api/v2/checkpoint", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.NotImplemented, post.StatusCode);
        using var delete = await Server.Http.DeleteAsync("/api/v2/tile/0/000");
        Assert.Equal(HttpStatusCode.NotImplemented, delete.StatusCode);
    }

    public static TheoryData<string, int, bool> HostileRequests() => new()
    {
        // Traversal, in every spelling: nothing is decoded, so none names a file.
        { "GET /../.state/treeState HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/../.state/treeState HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/0/../../.state/treeState HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/%2E%2E%2F.state%2FtreeState HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/..%2f..%2f.state HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/%252e%252e/.state/treeState HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/%c0%ae%c0%ae/.state/treeState HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile\\..\\.state\\treeState HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/0/000%00 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        // Private and temp files.
        { "GET /.state/treeState HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /api/v2/.state/treeState HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /.state/antispam.db HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/0/000.p/.tmp.123456 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        // Non-canonical spellings of files that exist.
        { "GET /tile/0/0 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/0/0000 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/0/000/ HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET //tile/0/000 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile//0/000 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/00/000 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/0/./000 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/0/x000/000 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/0/%30%30%30 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /TILE/0/000 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/entries/002.p/0188 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /tile/0/x999/x999/x999/x999/x999/x999/x999/999 HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /api/v2//checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        { "GET /api/v2/api/v2/checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 404, false },
        // A query is ignored, whatever it says.
        { "GET /checkpoint?../../.state/treeState HTTP/1.1\r\nHost: a\r\n\r\n", 200, false },
        // Methods.
        { "POST /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 405, false },
        { "DELETE /tile/0/000 HTTP/1.1\r\nHost: a\r\n\r\n", 405, false },
        { "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 405, false },
        { "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", 405, false },
        { "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: a\r\n\r\n", 405, false },
        { "get /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 405, false },
        { "G\x01T /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 400, true },
        // Bodies, and the framings that smuggle them.
        { "GET /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 413, true },
        { "POST /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n", 413, true },
        { "GET /checkpoint HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, true },
        { "GET /checkpoint HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n", 400, true },
        // Malformed heads.
        { "GET /checkpoint\r\n\r\n", 400, true },
        { "GET /checkpoint HTTP/2.0\r\nHost: a\r\n\r\n", 505, true },
        { "GET /checkpoint HTTP/1.1\r\n\r\n", 400, true },
        { "GET /checkpoint HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, true },
        { "GET /checkpoint HTTP/1.1\r\nHost : a\r\n\r\n", 400, true },
        { "GET /checkpoint HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400, true },
        { "GET /checkpoint HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400, true },
        { "GET /check\0point HTTP/1.1\r\nHost: a\r\n\r\n", 400, true },
        { "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, true },
        { "GET /checkpoint#x HTTP/1.1\r\nHost: a\r\n\r\n", 400, true },
        { "GET http://evil.example/checkpoint HTTP/1.1\r\nHost: a\r\n\r\n", 400, true },
        { "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", 400, true },
        { "\0\0\0\0\0\0\0\0\r\n\r\n", 400, true },
        // Absurd lengths.
        { "GET /" + new string('a', 5000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, true },
        { "GET /checkpoint HTTP/1.1\r\nHost: a\r\nX-Big: " + new string('b', 9000) + "\r\n\r\n", 431, true },
        { "GET /checkpoint HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-{i}: v\r\n")) + "\r\n", 431, true },
        { string.Concat(Enumerable.Repeat("\r\n", 5000)), 431, true },
    };

    [Theory]
    [MemberData(nameof(HostileRequests))]
    public void HostileRequests_GetAShortAnswer_AndTheServerCarriesOn(string request, int status, bool closes)
    {
        using (var connection = RawHttpConnection.Open(TilesPort))
        {
            connection.Send(request);
            var response = connection.ReadResponse();
            Assert.Equal(status, response.Status);
            if (status != 200)
            {
                Assert.True(response.Body.Length < 64, "an error answer is short");
                Assert.Equal("no-store", response.Header("Cache-Control"));
            }
            if (status == 405)
                Assert.Equal("GET, HEAD", response.Header("Allow"));
            if (closes)
            {
                Assert.Equal("close", response.Header("Connection"));
                Assert.True(connection.WaitForClose(), "the connection stays open after a refusal");
            }
            else
            {
                // 404 and 405 leave the connection usable.
                connection.Request("/checkpoint");
                Assert.Equal(200, connection.ReadResponse().Status);
            }
        }
        using var after = RawHttpConnection.Open(TilesPort);
        after.Request("/tile/0/000");
        Assert.Equal(Disk("tile/0/000"), after.ReadResponse().Body);
    }

    [Fact]
    public void KeepAlive_ServesManyRequestsOnOneConnection()
    {
        using var connection = RawHttpConnection.Open(TilesPort);
        foreach (string file in new[] { "checkpoint", "tile/0/000", "tile/entries/001", "tile/entries/002.p/188", "tile/1/000.p/2" })
        {
            connection.Request("/" + file);
            var response = connection.ReadResponse();
            Assert.Equal(200, response.Status);
            Assert.Null(response.Header("Connection"));
            Assert.Equal(Disk(file), response.Body);
            Assert.NotNull(response.Header("Date"));
        }
        connection.Request("/tile/0/000", "HEAD");
        var head = connection.ReadResponse(isHead: true);
        Assert.Equal("8192", head.Header("Content-Length"));
        connection.Request("/tile/0/002");
        Assert.Equal(404, connection.ReadResponse().Status);
        connection.Request("/api/v2/tile/0/001");
        Assert.Equal(Disk("tile/0/001"), connection.ReadResponse().Body);
    }

    [Fact]
    public void PipelinedRequests_AreAnsweredInOrder()
    {
        using var connection = RawHttpConnection.Open(TilesPort);
        string[] paths = ["/tile/entries/000", "/checkpoint", "/tile/0/002", "/api/v2/tile/entries/001", "/tile/0/001"];
        var requests = new StringBuilder();
        foreach (string path in paths)
            requests.Append("GET ").Append(path).Append(" HTTP/1.1\r\nHost: a\r\n\r\n");
        requests.Append("HEAD /tile/entries/000 HTTP/1.1\r\nHost: a\r\n\r\n");
        connection.Send(requests.ToString());
        Assert.Equal(Disk("tile/entries/000"), connection.ReadResponse().Body);
        Assert.Equal(Disk("checkpoint"), connection.ReadResponse().Body);
        Assert.Equal(404, connection.ReadResponse().Status);
        Assert.Equal(Disk("tile/entries/001"), connection.ReadResponse().Body);
        Assert.Equal(Disk("tile/0/001"), connection.ReadResponse().Body);
        var head = connection.ReadResponse(isHead: true);
        Assert.Equal(Disk("tile/entries/000").Length.ToString(System.Globalization.CultureInfo.InvariantCulture), head.Header("Content-Length"));
        connection.Request("/tile/0/000");
        Assert.Equal(Disk("tile/0/000"), connection.ReadResponse().Body);
    }

    [Fact]
    public void ManyPipelinedRequests_ByteByByte_AreAllAnswered()
    {
        using var connection = RawHttpConnection.Open(TilesPort);
        byte[] request = "GET /tile/0/000 HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray();
        var all = Enumerable.Repeat(request, 300).SelectMany(r => r).ToArray();
        connection.Send(all.AsSpan(0, 100).ToArray());
        foreach (byte b in all.AsSpan(100, 50))
            connection.Send([b]);
        connection.Send(all[150..]);
        for (int i = 0; i < 300; i++)
            Assert.Equal(8192, connection.ReadResponse().Body.Length);
    }

    [Fact]
    public void ABadRequestInAPipeline_EndsIt()
    {
        using var connection = RawHttpConnection.Open(TilesPort);
        connection.Send("GET /checkpoint HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/9\r\n\r\nGET /checkpoint HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, connection.ReadResponse().Status);
        Assert.Equal(400, connection.ReadResponse().Status);
        Assert.True(connection.WaitForClose());
    }

    [Fact]
    public void Http10_ClosesUnlessAskedToKeepAlive()
    {
        using (var connection = RawHttpConnection.Open(TilesPort))
        {
            connection.Send("GET /checkpoint HTTP/1.0\r\n\r\n");
            var response = connection.ReadResponse();
            Assert.Equal(200, response.Status);
            Assert.StartsWith("HTTP/1.1 200", response.StatusLine);
            Assert.Equal("close", response.Header("Connection"));
            Assert.True(connection.WaitForClose());
        }
        using (var connection = RawHttpConnection.Open(TilesPort))
        {
            connection.Send("GET /checkpoint HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal("keep-alive", connection.ReadResponse().Header("Connection"));
            connection.Send("GET /tile/0/000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal(Disk("tile/0/000"), connection.ReadResponse().Body);
        }
    }

    [Fact]
    public void ConnectionClose_IsHonoured()
    {
        using var connection = RawHttpConnection.Open(TilesPort);
        connection.Request("/tile/0/000", extraHeaders: "Connection: close\r\n");
        var response = connection.ReadResponse();
        Assert.Equal(Disk("tile/0/000"), response.Body);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(connection.WaitForClose());
    }

    [Fact]
    public void AClientThatHalfCloses_StillGetsItsAnswers()
    {
        using var connection = RawHttpConnection.Open(TilesPort);
        connection.Send("GET /checkpoint HTTP/1.1\r\nHost: a\r\n\r\nGET /tile/0/001 HTTP/1.1\r\nHost: a\r\n\r\n");
        connection.Socket.Shutdown(SocketShutdown.Send);
        Assert.Equal(Disk("checkpoint"), connection.ReadResponse().Body);
        Assert.Equal(Disk("tile/0/001"), connection.ReadResponse().Body);
        Assert.True(connection.WaitForClose());
    }

    [Fact]
    public async Task ManyClientsAtOnce_AllGetEveryByte()
    {
        byte[] bundle = Disk("tile/entries/001");
        var clients = Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            using var connection = RawHttpConnection.Open(TilesPort);
            for (int r = 0; r < 25; r++)
            {
                connection.Request(r % 2 == 0 ? "/tile/entries/001" : "/api/v2/tile/entries/001");
                Assert.Equal(bundle, connection.ReadResponse().Body);
            }
        }));
        await Task.WhenAll(clients).WaitAsync(HangGuard.Timeout);
    }

    // ---- limits, each on a read-only server of its own over the same log ----------------------

    private Task<RunningServer> ReadOnlyServer(TimeSpan idle, int maxConnections = 10_000) =>
        RunningServer.StartAsync(log.Dir, s => s with { ReadOnly = true, TilesIdleTimeout = idle, TilesMaxConnections = maxConnections });

    /// <summary>The listener's clock (Environment.TickCount64) moves in kernel ticks, a few ms
    /// behind a Stopwatch: what a lower bound on its timeouts allows for.</summary>
    private static readonly TimeSpan ClockTick = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Asserts the server closes the connection, and not sooner than <paramref name="timeout"/>
    /// after <paramref name="since"/> started: a stopwatch started before the connection's last
    /// activity, so a late look at the socket can only make the close seem later, never sooner.
    /// The upper bound is the hang guard, far beyond the once-a-second sweep: a loaded machine
    /// may get round to the sweep late, and that is not what these tests are about.
    /// </summary>
    private static void AssertClosedAfter(RawHttpConnection connection, Stopwatch since, TimeSpan timeout, string what)
    {
        Assert.True(connection.WaitForClose(), $"hang guard: {what} kept its connection");
        Assert.True(since.Elapsed >= timeout - ClockTick, $"{what} was cut off after {since.Elapsed}, before the {timeout} timeout");
    }

    [Fact]
    public async Task IdleConnections_AreClosedAfterTheTimeout()
    {
        var idle = TimeSpan.FromMilliseconds(300);
        await using var server = await ReadOnlyServer(idle);
        var silentSince = Stopwatch.StartNew();
        using var silent = RawHttpConnection.Open(server.Settings.TilesPort);
        using var served = RawHttpConnection.Open(server.Settings.TilesPort);
        var servedSince = Stopwatch.StartNew();
        served.Request("/checkpoint");
        Assert.Equal(Disk("checkpoint"), served.ReadResponse().Body);
        AssertClosedAfter(silent, silentSince, idle, "a silent client");
        AssertClosedAfter(served, servedSince, idle, "an idle keep-alive client");
    }

    [Fact]
    public async Task ASlowHead_IsCutOff_EvenWhileBytesKeepComing()
    {
        var idle = TimeSpan.FromSeconds(2);
        await using var server = await ReadOnlyServer(idle);
        using var slow = RawHttpConnection.Open(server.Settings.TilesPort);
        var since = Stopwatch.StartNew();
        slow.Send("GET /checkpoint HTTP/1.1\r\n");
        // A header byte every 50 ms, far more often than the timeout, until the head's deadline
        // (from its first byte) closes the connection. Were the deadline moved by each byte, only
        // a stall of this loop for a whole timeout could close it: a loaded machine can make the
        // test pass for that weaker reason, never fail it.
        while (!ClosedAfterOneMoreByte(slow))
            Assert.True(since.Elapsed < HangGuard.Timeout, "hang guard: a trickling client kept its connection");
        Assert.True(since.Elapsed >= idle - ClockTick, $"a slow head was cut off after {since.Elapsed}, before the {idle} timeout");
    }

    /// <summary>Sends one more header byte; true once the server has closed the connection.</summary>
    private static bool ClosedAfterOneMoreByte(RawHttpConnection connection)
    {
        try
        {
            connection.Send("X");
        }
        catch (SocketException)
        {
            return true;
        }
        return connection.ClosedWithin(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task AClientThatDoesNotRead_IsCutOff_AndOthersAreServedMeanwhile()
    {
        // The listener alone, so that its own count of connections shows when it lets go of the
        // client: the client cannot see that without reading, and reading would end the test.
        using var files = PublishedFilesOfTheLog();
        // One worker accepts, counts and serves in order: once the other client is served, the
        // greedy one is counted.
        var options = new TileListenerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Workers = 1, IdleTimeout = TimeSpan.FromMilliseconds(500) };
        using var listener = TileListener.Start(options, files, NullLogger.Instance);
        using var greedy = RawHttpConnection.Open(listener.LocalEndPoint.Port);
        greedy.Socket.ReceiveBufferSize = 4096;
        // Far more than socket buffers hold: ~100 MB of bundles asked for, none read.
        var requests = string.Concat(Enumerable.Repeat("GET /tile/entries/001 HTTP/1.1\r\nHost: a\r\n\r\n", 200));
        greedy.Send(requests);
        using (var other = RawHttpConnection.Open(listener.LocalEndPoint.Port))
        {
            other.Request("/tile/0/000");
            Assert.Equal(Disk("tile/0/000"), other.ReadResponse().Body);
        }
        // The count drops to none once both are closed, the greedy one by the sweep while it
        // still has read nothing.
        await Eventually.True(() => Volatile.Read(ref listener.ConnectionCount) == 0, "the listener closed the client that does not read");
        Assert.True(greedy.WaitForClose(), "hang guard: the client that does not read never saw its connection close");
    }

    /// <summary>The fixture's log as a read-only server publishes it, for a listener of a test's own.</summary>
    private PublishedFiles PublishedFilesOfTheLog() =>
        new(log.Dir, new CheckpointFile(Path.Combine(log.Dir, "checkpoint"), TimeSpan.FromSeconds(1)).Current, NullLogger.Instance);

    [Fact]
    public async Task TheConnectionCap_ResetsTheExcess_AndFreesUpAsClientsLeave()
    {
        await using var server = await ReadOnlyServer(TimeSpan.FromSeconds(30), maxConnections: 3);
        int port = server.Settings.TilesPort;
        var held = Enumerable.Range(0, 3).Select(_ => RawHttpConnection.Open(port)).ToList();
        foreach (var connection in held)
        {
            connection.Request("/checkpoint");
            Assert.Equal(200, connection.ReadResponse().Status);
        }
        using (var excess = RawHttpConnection.Open(port))
            Assert.True(excess.WaitForClose(), "a connection beyond the cap was kept");
        held[0].Dispose();
        // Until the listener reads the end of the closed one, a new connection is still over the
        // cap and reset: try again until one is served.
        RawResponse? response = null;
        await Eventually.True(() => (response = TryGet(port, "/checkpoint")) is not null, "a connection was served after a held one left");
        Assert.Equal(200, response?.Status);
        foreach (var connection in held)
            connection.Dispose();
    }

    /// <summary>One request on a new connection; null when the server reset or closed it instead.</summary>
    private static RawResponse? TryGet(int port, string path)
    {
        try
        {
            using var connection = RawHttpConnection.Open(port);
            connection.Request(path);
            return connection.ReadResponse();
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return null;
        }
    }

    [Fact]
    public async Task AFloodOfGarbage_DoesNotStopTheServer()
    {
        var random = new Random(4);
        var garbage = Enumerable.Range(0, 64).Select(_ => Task.Run(() =>
        {
            var bytes = new byte[random.Next(1, 20_000)];
            lock (random)
                random.NextBytes(bytes);
            try
            {
                using var connection = RawHttpConnection.Open(TilesPort);
                connection.Send(bytes);
                // Once the client has said all it will, the server answers what it can and closes.
                connection.Socket.Shutdown(SocketShutdown.Send);
                Assert.True(connection.WaitForClose(), "hang guard: a connection stayed open after garbage and a half-close");
            }
            catch (SocketException)
            {
                // Refused and reset before all the garbage was sent: closed all the same.
            }
        }));
        await Task.WhenAll(garbage).WaitAsync(HangGuard.Timeout);
        using var after = RawHttpConnection.Open(TilesPort);
        after.Request("/tile/0/000");
        Assert.Equal(Disk("tile/0/000"), after.ReadResponse().Body);
    }

    // ---- workers -------------------------------------------------------------------------------

    /// <summary>The listener on its own (no serve around it): connections spread over the workers.</summary>
    [Fact]
    public async Task Connections_AreDealtToEveryWorker()
    {
        using var dir = new TempDir();
        byte[] note = "origin\n0\nroot\n\n— sig\n"u8.ToArray();
        using var files = new PublishedFiles(dir.Path, () => new PublishedCheckpoint(0, note), NullLogger.Instance);
        var options = new TileListenerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Workers = 3 };
        using var listener = TileListener.Start(options, files, NullLogger.Instance);
        var clients = new List<RawHttpConnection>();
        try
        {
            for (int i = 0; i < 12; i++)
            {
                var client = RawHttpConnection.Open(listener.LocalEndPoint.Port);
                clients.Add(client);
                client.Request("/checkpoint");
                Assert.Equal(note, client.ReadResponse().Body);
            }
            Assert.Equal([4, 4, 4], listener.ConnectionsPerWorker);
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
        await Eventually.True(() => listener.ConnectionsPerWorker.Sum() == 0, "every worker closed its connections");
        Assert.Equal([0, 0, 0], listener.ConnectionsPerWorker);
    }

    // ---- publication ---------------------------------------------------------------------------

    [Fact]
    public async Task ATileIsServed_OnlyOnceACheckpointCoversIt()
    {
        using var dir = new TempDir();
        var options = new AppendOptions { BatchMaxAge = TimeSpan.FromMilliseconds(5), CheckpointInterval = TimeSpan.FromMilliseconds(100) };
        await using (var writer = await Flavour.StartLogAsync(dir.Path, TestLogKey.Signer(), options, NullLogger.Instance))
        {
            for (int i = 0; i < 10; i++)
                await writer.AddAsync(PublishedLogFixture.Entry(i), CancellationToken.None);
        }
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with { ReadOnly = true });
        using var tiles = new HttpClient { BaseAddress = server.TilesAddress };

        // Integrated and durable, but not published: a crash now would leave exactly this orphan.
        var storage = new PosixStorage(dir.Path);
        storage.Open();
        storage.Integrate([.. Enumerable.Range(10, 5).Select(i => (ReadOnlyMemory<byte>)PublishedLogFixture.Entry(i))]);
        Assert.True(File.Exists(dir["tile/entries/000.p/15"]));
        Assert.Equal(HttpStatusCode.NotFound, (await tiles.GetAsync("/tile/entries/000.p/15")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tiles.GetAsync("/tile/0/000.p/15")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tiles.GetAsync("/tile/0/000.p/10")).StatusCode);

        storage.PublishCheckpoint(TestLogKey.Signer(), TimeSpan.Zero, TimeSpan.Zero, DateTimeOffset.UtcNow, force: true);
        // The read-only server rereads the checkpoint file at most once a second.
        await Eventually.True(() => tiles.Send(new HttpRequestMessage(HttpMethod.Get, "/tile/entries/000.p/15")).StatusCode == HttpStatusCode.OK,
            "the tile was served once the new checkpoint covered it");
        Assert.Equal(File.ReadAllBytes(dir["checkpoint"]), await tiles.GetByteArrayAsync("/checkpoint"));
        Assert.Equal(File.ReadAllBytes(dir["tile/entries/000.p/15"]), await server.Http.GetByteArrayAsync("/api/v2/tile/entries/000.p/15"));
    }

    [Fact]
    public async Task Shutdown_ClosesTheTileListener()
    {
        using var dir = new TempDir();
        var server = await RunningServer.StartAsync(dir.Path, s => s with { TilesIdleTimeout = PublishedLogFixture.NoIdleSweep });
        int port = server.Settings.TilesPort;
        using var tiles = new HttpClient { BaseAddress = server.TilesAddress };
        Assert.Equal(HttpStatusCode.OK, (await tiles.GetAsync("/checkpoint")).StatusCode);
        using var open = RawHttpConnection.Open(port);
        Assert.Equal(0, await server.StopAsync());
        Assert.True(open.WaitForClose(), "hang guard: a connection outlived the shutdown");
        Assert.ThrowsAny<SocketException>(() => RawHttpConnection.Open(port));
        await server.DisposeAsync();
    }
}
