using System.Net.Sockets;
using System.Text;

namespace RekorPosix.Bench;

/// <summary>The HTTP/1.1 attacks, on raw sockets: headers, smuggling shapes, body limits,
/// slowloris, idle connections and path traversal, on the API port and the tile port.</summary>
public static class HostileHttp1
{
    private const string Entries = "/api/v2/log/entries";

    public static IEnumerable<HostileAttack> All(HostileOptions o)
    {
        int rounds = o.Count(50, 3);
        yield return new("headers (API)", $"{rounds}x each: one 64 KiB header; 500 headers; a header name with a space; no Host",
            () => Each(rounds, HeaderShapes("/healthz").Select(s => (o.ApiPort, s)), FourXxOrClose));
        yield return new("headers (tiles)", $"{rounds}x each: one 64 KiB header; 500 headers; a header name with a space; no Host",
            () => Each(rounds, HeaderShapes("/checkpoint").Select(s => (o.TilesPort, s)), FourXxOrClose));
        yield return new("smuggling shapes (API)", $"{rounds}x each of {SmugglingShapes().Count()} shapes (CL+TE, two CLs, TE lists and look-alikes, bad chunk sizes, bare LF, obs-fold, NUL), each carrying a second request",
            () => Each(rounds, SmugglingShapes().Select(s => (o.ApiPort, s.Request)), SmugglingShapes().Select(s => s.MaxAnswers).ToList()));
        int bodies = o.Count(20, 2);
        yield return new("body limits (API)", $"{bodies}x each: 5 MiB body with Content-Length; 5 MiB chunked; Content-Length 5 MiB and 1 KiB sent; Content-Length 2^63-1",
            () => Each(bodies, BodyShapes().Select(s => (o.ApiPort, s)), FourXxOrClose));
        int slow = o.Count(500, 20);
        yield return new("slowloris (API)", $"{slow} connections sending a request head one header a second",
            () => Slowloris(o.ApiPort, slow, $"POST {Entries} HTTP/1.1\r\nHost: localhost\r\n"));
        yield return new("slowloris (tiles)", $"{slow} connections sending a request head one header a second",
            () => Slowloris(o.TilesPort, slow, "GET /checkpoint HTTP/1.1\r\nHost: localhost\r\n"));
        int idle = o.Count(2000, 200);
        yield return new("idle connections (API)", $"{idle} connections that send nothing", () => Idle(o, o.ApiPort, idle));
        yield return new("idle connections (tiles)", $"{idle} connections that send nothing", () => Idle(o, o.TilesPort, idle));
        yield return new("path traversal (tiles)", $"{rounds}x each of {TraversalPaths("").Count()} paths out of the log or into .state/ (dot segments, %2e, %2f, backslashes, NUL, absolute form)",
            () => Each(rounds, TraversalPaths("").Select(p => (o.TilesPort, Get(p))), NotServed));
        yield return new("path traversal (API)", $"{rounds}x each of the same paths under /api/v2",
            () => Each(rounds, TraversalPaths("/api/v2").Select(p => (o.ApiPort, Get(p))), NotServed));
    }

    // A smuggled request must never be answered as one of its own; a valid request may get its 200.
    private static Func<HttpAnswer, bool> AnswersNo5xx(int most) =>
        a => !a.Hung && a.Statuses.Count <= most && a.Statuses.All(s => s < 500) && (a.Statuses.Count > 0 || a.Closed);

    private static bool FourXxOrClose(HttpAnswer a) => !a.Hung && a.Statuses.All(s => s is >= 400 and < 500) && (a.Statuses.Count > 0 || a.Closed);

    // Nothing out of the published tree: a 4xx or a close, never a 2xx, 3xx or 5xx.
    private static bool NotServed(HttpAnswer a) => FourXxOrClose(a);

    private static AttackOutcome Each(int rounds, IEnumerable<(int Port, string Request)> shapes, IReadOnlyList<int> maxAnswers) =>
        Each(rounds, shapes.Zip(maxAnswers, (s, most) => (s.Port, s.Request, AnswersNo5xx(most))));

    private static AttackOutcome Each(int rounds, IEnumerable<(int Port, string Request)> shapes, Func<HttpAnswer, bool> expected) =>
        Each(rounds, shapes.Select(s => (s.Port, s.Request, expected)));

    private static AttackOutcome Each(int rounds, IEnumerable<(int Port, string Request, Func<HttpAnswer, bool> Expected)> shapes)
    {
        var tally = new AnswerTally();
        var list = shapes.ToList();
        string? finding = null;
        for (int r = 0; r < rounds; r++)
        {
            foreach (var (port, request, expected) in list)
            {
                var answer = HttpExchange.Send(port, Encoding.Latin1.GetBytes(request));
                tally.Add(answer.ToString());
                if (!expected(answer))
                    finding ??= $"{answer} to {Escape(request)}";
            }
        }
        return new AttackOutcome(tally.ToString(), finding is null, finding);
    }

    private static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    private static string Escape(string request) => request.Length > 120 ? Escape(request[..120]) + "..." :
        request.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);

    private static IEnumerable<string> HeaderShapes(string path)
    {
        yield return $"GET {path} HTTP/1.1\r\nHost: localhost\r\nX-Big: {new string('a', 64 * 1024)}\r\n\r\n";
        var many = new StringBuilder($"GET {path} HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i < 500; i++)
            many.Append("X-H").Append(i).Append(": v\r\n");
        yield return many.Append("\r\n").ToString();
        yield return $"GET {path} HTTP/1.1\r\nHost: localhost\r\nBad Name: v\r\n\r\n";
        yield return $"GET {path} HTTP/1.1\r\n\r\n";
    }

    /// <summary>Each shape carries a second request after the body as the RFC 9112 framing reads
    /// it; MaxAnswers is how many responses that framing allows (2 only where the framing is
    /// unambiguous and the second request is a pipelined one, not a smuggled one).</summary>
    private static IEnumerable<(string Request, int MaxAnswers)> SmugglingShapes()
    {
        const string second = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
        string post = $"POST {Entries} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
        yield return (post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + second, 1);
        yield return (post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + second, 1);
        yield return (post + "Content-Length: 2\r\nContent-Length: 44\r\n\r\n{}" + second, 1);
        yield return (post + "Transfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + second, 1);
        yield return (post + "Transfer-Encoding : chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + second, 1);
        yield return (post + "Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + second, 1);
        yield return (post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + second, 1);
        yield return (post + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff2\r\n{}\r\n0\r\n\r\n" + second, 1);
        // Kestrel skips chunk extensions whole, NUL included: the size before ';' frames it either way.
        yield return (post + "Transfer-Encoding: chunked\r\n\r\n2;\0ext\r\n{}\r\n0\r\n\r\n" + second, 2);
        yield return (post + "Transfer-Encoding: chunked\r\n\r\n2\n{}\n0\n\n" + second, 1);
        yield return (post + "Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n" + second, 1);
        yield return (post + "X-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\n{}" + second, 1);
        yield return (post + "Content-Length: -1\r\n\r\n{}" + second, 1);
        yield return (post + "Content-Length: 1e3\r\n\r\n{}" + second, 1);
        yield return (post + "Content-Length: 2\0\r\n\r\n{}" + second, 1);
        yield return ($"POST {Entries} HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\n0\r\n\r\n" + second, 1);
        yield return ($"GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: {second.Length}\r\n\r\n" + second, 1);
    }

    private static IEnumerable<string> BodyShapes()
    {
        const int five = 5 * 1024 * 1024;
        string post = $"POST {Entries} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
        yield return post + $"Content-Length: {five}\r\n\r\n" + new string(' ', five);
        var chunked = new StringBuilder(post + "Transfer-Encoding: chunked\r\n\r\n");
        string chunk = new(' ', 65536);
        for (int i = 0; i < five / chunk.Length; i++)
            chunked.Append("10000\r\n").Append(chunk).Append("\r\n");
        yield return chunked.Append("0\r\n\r\n").ToString();
        yield return post + $"Content-Length: {five}\r\n\r\n" + new string(' ', 1024);
        yield return post + $"Content-Length: {long.MaxValue}\r\n\r\n{{}}";
    }

    private static IEnumerable<string> TraversalPaths(string prefix)
    {
        string[] paths =
        [
            "/tile/../../../../etc/passwd", "/tile/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/tile/..%2f..%2f..%2f..%2fetc%2fpasswd",
            "/tile/%2E%2E%2F.state%2FtreeState", "/.state/treeState", "/tile/../.state/treeState", "/tile/0/..%2F..%2F.state%2FtreeState",
            "/tile/entries/../../.state/gcState", "/tile\\..\\..\\.state\\treeState", "/tile/0/000%00/../../.state/treeState",
            "/tile/0/x001/../../../.state/treeState", "/%2e%2e/%2e%2e/etc/passwd", "/tile/%c0%ae%c0%ae/.state/treeState",
        ];
        foreach (string path in paths)
            yield return prefix + path;
        yield return $"http://localhost{prefix}/../../.state/treeState";
    }

    private static AttackOutcome Slowloris(int port, int count, string head) =>
        Slowloris(port, count, Encoding.ASCII.GetBytes(head), second => Encoding.ASCII.GetBytes($"X-Slow-{second}: a\r\n"));

    /// <summary>Opens <paramref name="count"/> connections that each send <paramref name="head"/>,
    /// then what <paramref name="drip"/> gives once a second, never completing a request; the
    /// server must close every one. What it said first is the answer.</summary>
    public static AttackOutcome Slowloris(int port, int count, byte[] head, Func<int, byte[]> drip)
    {
        var sockets = new List<Socket>();
        var tally = new AnswerTally();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var s = HttpExchange.Connect(port);
                if (head.Length > 0)
                    s.Send(head);
                sockets.Add(s);
            }
            var open = new HashSet<Socket>(sockets);
            var said = new Dictionary<Socket, string>();
            var started = DateTime.UtcNow;
            var guard = started + TimeSpan.FromSeconds(90);
            var buffer = new byte[4096];
            for (int second = 0; open.Count > 0 && DateTime.UtcNow < guard; second++)
            {
                Thread.Sleep(1000);
                foreach (var s in open.ToList())
                {
                    string? ended = null;
                    try
                    {
                        while (ended is null && s.Poll(0, SelectMode.SelectRead))
                        {
                            int n = s.Receive(buffer);
                            if (n == 0)
                                ended = "closed";
                            else
                                said.TryAdd(s, Describe(buffer.AsSpan(0, n)));
                        }
                        if (ended is null)
                            s.Send(drip(second));
                    }
                    catch (SocketException)
                    {
                        ended = "reset";
                    }
                    if (ended is not null)
                    {
                        tally.Add(said.TryGetValue(s, out string? first) ? $"{first} {ended}" : ended);
                        open.Remove(s);
                    }
                }
            }
            string outcome = $"{count - open.Count}/{count} cut off by the server within {(int)(DateTime.UtcNow - started).TotalSeconds + 1} s ({tally})";
            return new AttackOutcome(outcome, open.Count == 0, open.Count == 0 ? null : $"{open.Count} connections still open after 90 s");
        }
        finally
        {
            foreach (var s in sockets)
                s.Dispose();
        }
    }

    /// <summary>The first thing a server said: an HTTP/1 status line, or an HTTP/2 frame's type.</summary>
    private static string Describe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("HTTP/"u8))
            return Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 12)]);
        return bytes.Length >= 9 ? bytes[3] switch
        {
            Http2Wire.Settings => "SETTINGS",
            Http2Wire.GoAway => "GOAWAY",
            _ => $"frame type {bytes[3]}",
        } : "bytes";
    }

    /// <summary>Holds <paramref name="count"/> silent connections until the server closes them
    /// (it must: an idle connection costs it a descriptor), noting its descriptors meanwhile.</summary>
    public static AttackOutcome Idle(HostileOptions o, int port, int count)
    {
        var sockets = new List<Socket>();
        int refused = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                try
                {
                    sockets.Add(HttpExchange.Connect(port));
                }
                catch (SocketException)
                {
                    refused++;
                }
            }
            Thread.Sleep(500);
            int heldFds = ProcessFootprint.Of(o.ServerPid)?.OpenFds ?? -1;
            var started = DateTime.UtcNow;
            var open = new HashSet<Socket>(sockets);
            var buffer = new byte[1024];
            while (open.Count > 0 && DateTime.UtcNow - started < TimeSpan.FromSeconds(90))
            {
                Thread.Sleep(500);
                foreach (var s in open.ToList())
                {
                    try
                    {
                        if (s.Poll(0, SelectMode.SelectRead) && s.Receive(buffer) == 0)
                            open.Remove(s);
                    }
                    catch (SocketException)
                    {
                        open.Remove(s);
                    }
                }
            }
            string outcome = $"server fds {heldFds} while held; {count - refused - open.Count}/{count - refused} closed by the server within {(int)(DateTime.UtcNow - started).TotalSeconds + 1} s" +
                (refused > 0 ? $", {refused} refused" : "");
            return new AttackOutcome(outcome, open.Count == 0, open.Count == 0 ? null : $"{open.Count} idle connections still open after 90 s");
        }
        finally
        {
            foreach (var s in sockets)
                s.Dispose();
        }
    }
}
