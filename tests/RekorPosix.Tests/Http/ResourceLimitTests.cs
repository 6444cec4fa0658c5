using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

/// <summary>
/// Hostile load on the API port of a real server: slowloris heads, idle connections, oversized
/// and deeply nested bodies, huge base64 fields and thousands of half-sent requests. A
/// well-behaved client must still get /healthz within <see cref="Bound"/>, and the server's
/// memory must not grow with what clients merely announce.
/// </summary>
[Trait("Category", "ResourceLimits")]
public class ResourceLimitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task SlowlorisAndIdleConnectionsDoNotStarveAWellBehavedClient()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with { ServerTimeout = TimeSpan.FromSeconds(2) });
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < 300; i++)
                sockets.Add(await Connect(server));
            for (int i = 0; i < 300; i++)
            {
                var slow = await Connect(server);
                await slow.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "));
                sockets.Add(slow);
            }
            for (int round = 0; round < 3; round++)
            {
                // One more header byte now and then keeps a slowloris connection "active".
                foreach (var s in sockets.Skip(300))
                    await TrySend(s, "a"u8.ToArray());
                await AssertHealthyWithinBound(server);
                await Task.Delay(500);
            }
            // The head timeout (--server-timeout) closes the slow heads: they never finish.
            await Task.Delay(TimeSpan.FromSeconds(3));
            int closed = 0;
            foreach (var s in sockets.Skip(300))
            {
                if (await IsClosedByServer(s))
                    closed++;
            }
            Assert.Equal(300, closed);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task OversizedBodyIsRefusedWithoutReadingIt()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        using var socket = await Connect(server);
        // Announces 1 GiB and sends 1 KiB: the answer comes at once, from the length alone.
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "POST /api/v2/log/entries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n"
            + new string('[', 1024)));
        string answer = await ReadAnswer(socket);
        Assert.StartsWith("HTTP/1.1 400", answer);
        Assert.Contains("request body too large", answer);
    }

    [Fact]
    public async Task DeeplyNestedJsonIs400AndTheServerLives()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        foreach (string body in new[]
        {
            new string('[', 1_000_000),
            string.Concat(Enumerable.Repeat("{\"hashedRekordRequestV002\":", 100_000)),
            "{\"hashedRekordRequestV002\":{\"signature\":" + new string('[', 200_000) + new string(']', 200_000) + "}}",
        })
        {
            var response = await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(body));
            Assert.Equal(400, (int)response.StatusCode);
        }
        await AssertHealthyWithinBound(server);
    }

    [Fact]
    public async Task HugeBase64FieldsAre400()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        string justUnder = Convert.ToBase64String(new byte[3 * 1024 * 1024 - 3 * 1024]); // 4 MiB less a bit
        string over = Convert.ToBase64String(new byte[3 * 1024 * 1024 + 3]);
        foreach (string field in new[] { "digest", "content" })
        {
            foreach (string value in new[] { justUnder, over })
            {
                string body = field == "digest"
                    ? "{\"hashedRekordRequestV002\":{\"digest\":\"" + value + "\"}}"
                    : "{\"hashedRekordRequestV002\":{\"signature\":{\"content\":\"" + value + "\"}}}";
                var response = await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(body));
                Assert.Equal(400, (int)response.StatusCode);
            }
        }
        await AssertHealthyWithinBound(server);
    }

    /// <summary>
    /// 2,000 clients each announce a 4 MB body (the limit) and send 16 bytes of it, then wait.
    /// The server answers /healthz meanwhile, and its memory grows by far less than the 8 GB
    /// announced: a body buffer grows with what arrives, not with what is promised.
    /// </summary>
    [Fact]
    public async Task ThousandsOfWaitingRequestsKeepTheServerResponsiveAndMemoryBounded()
    {
        int clients = int.TryParse(Environment.GetEnvironmentVariable("LIMITS_CLIENTS"), out int n) ? n : 2000;
        const long boundBytes = 400L << 20;
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        GC.Collect();
        long before = Process.GetCurrentProcess().WorkingSet64;
        long heapBefore = GC.GetTotalMemory(false);
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < clients; i++)
            {
                var s = await Connect(server);
                await s.SendAsync(Encoding.ASCII.GetBytes(
                    "POST /api/v2/log/entries HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n{\"hashedRekordR"));
                sockets.Add(s);
            }
            await Task.Delay(1000);
            await AssertHealthyWithinBound(server);
            // Both: untouched pages of a big buffer do not show in RSS at once, but they are the GC's.
            long grown = Process.GetCurrentProcess().WorkingSet64 - before;
            long heapGrown = GC.GetTotalMemory(false) - heapBefore;
            Console.WriteLine($"limits: {clients} waiting requests: RSS +{grown >> 20} MiB, managed heap +{heapGrown >> 20} MiB");
            Assert.True(grown < boundBytes, $"RSS grew by {grown >> 20} MiB with {clients} waiting requests (bound {boundBytes >> 20} MiB)");
            Assert.True(heapGrown < boundBytes, $"the managed heap grew by {heapGrown >> 20} MiB with {clients} waiting requests (bound {boundBytes >> 20} MiB)");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
        await AssertHealthyWithinBound(server);
    }

    private static async Task AssertHealthyWithinBound(RunningServer server)
    {
        var clock = Stopwatch.StartNew();
        using var client = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = Bound };
        var response = await client.GetAsync("/healthz");
        Assert.True(response.IsSuccessStatusCode);
        Assert.True(clock.Elapsed < Bound, $"/healthz took {clock.Elapsed}");
    }

    private static async Task<Socket> Connect(RunningServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", server.Settings.HttpPort);
        return socket;
    }

    private static async Task TrySend(Socket socket, byte[] data)
    {
        try
        {
            await socket.SendAsync(data);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>True when the server has closed (or reset) the connection; a 408 answer counts.</summary>
    private static async Task<bool> IsClosedByServer(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                    return true;
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<string> ReadAnswer(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Bound);
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token);
                if (read == 0)
                    break;
                total += read;
                string text = Encoding.ASCII.GetString(buffer, 0, total);
                int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headEnd > 0 && text.Contains("Content-Length: ", StringComparison.OrdinalIgnoreCase))
                {
                    int length = int.Parse(text[(text.IndexOf("Content-Length: ", StringComparison.OrdinalIgnoreCase) + 16)..].Split('\r')[0], System.Globalization.CultureInfo.InvariantCulture);
                    if (total >= headEnd + 4 + length)
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return Encoding.ASCII.GetString(buffer, 0, total);
    }
}
