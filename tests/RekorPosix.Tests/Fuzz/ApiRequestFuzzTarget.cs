using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace RekorPosix.Tests.Fuzz;

/// <summary>
/// What a client sends the API port (Kestrel, then RestApi), over a real socket to a server in this
/// process: each input is sent, the sending side shut, and everything read until the server
/// closes. Property: no answer is a 5xx other than the documented 503 (pushback) and 504 (timeout)
/// and Kestrel's protocol answers 501 (a method token it will not take, e.g. one of hundreds of
/// bytes) and 505 (an HTTP version it does not speak),
/// and no input is left unanswered (the hang guard); over the whole run, the HTTP metrics keep
/// closed label sets (<see cref="AssertBoundedScrape"/>).
/// </summary>
public sealed partial class ApiRequestFuzzTarget(int httpPort, int metricsPort)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>Methods, paths and headers of the API's language, for the mutator to insert.</summary>
    public static IReadOnlyList<byte[]> Tokens { get; } =
    [
        .. new[]
        {
            "GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "TRACE ", "CONNECT ", "PATCH ", "PRI ", "get ",
            " HTTP/1.1", " HTTP/1.0", " HTTP/2.0", " HTTP/1.2", "\r\n", "\r\n\r\n", "\n",
            "/api/v2/log/entries", "/api/v2/checkpoint", "/api/v2/tile/", "/healthz", "/metrics", "/", "*", "http://a/",
            "Host: a\r\n", "Host: \r\n", "Content-Length: 0\r\n", "Content-Length: ", "Content-Length: 4194305\r\n",
            "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n", "Content-Encoding: gzip\r\n",
            "Content-Type: application/json\r\n", "Content-Type: application/grpc\r\n", "Expect: 100-continue\r\n",
            "Connection: close\r\n", "Connection: keep-alive, Upgrade\r\n", "Upgrade: h2c\r\n", "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n",
            "Accept: */*\r\n", "0\r\n\r\n", "ffffffff\r\n", ";ext=1", "%2e", "%2f", "%00", "/../", "?", "#",
            "{}", "{\"hashedRekordRequestV002\":", "\"signature\":", ": ", " :", "\t", "\r",
        }.Select(Encoding.ASCII.GetBytes),
    ];

    public static IReadOnlyList<byte[]> Seeds()
    {
        var seeds = new List<string>
        {
            "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /api/v2/checkpoint HTTP/1.1\r\nHost: a\r\n\r\n",
            "HEAD /api/v2/tile/0/000 HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /api/v2/tile/entries/000 HTTP/1.0\r\n\r\n",
            "POST /api/v2/log/entries HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
            "POST /api/v2/log/entries HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /api/v2/checkpoint HTTP/1.1\r\nHost: a\r\n\r\n",
        };
        // A few real entries as bodies, so that mutations reach the decoder and validator through Kestrel.
        foreach (byte[] body in RequestFuzzTarget.JsonSeeds().Take(3))
            seeds.Add($"POST /api/v2/log/entries HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n" + Encoding.Latin1.GetString(body));
        return [.. seeds.Select(Encoding.Latin1.GetBytes)];
    }

    public void Run(byte[] input)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, httpPort);
        try
        {
            socket.Send(input);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Refused before it was all sent: what came back still counts.
        }
        var received = new MemoryStream();
        var buffer = new byte[16384];
        var deadline = DateTime.UtcNow + Guard;
        while (true)
        {
            if (DateTime.UtcNow > deadline)
                throw Finding(input, "no close within the hang guard");
            if (!socket.Poll(1_000_000, SelectMode.SelectRead))
                continue;
            int n;
            try
            {
                n = socket.Receive(buffer);
            }
            catch (SocketException)
            {
                break; // reset: a refusal
            }
            if (n == 0)
                break;
            received.Write(buffer, 0, n);
        }
        foreach (Match status in StatusLine().Matches(Encoding.Latin1.GetString(received.ToArray())))
        {
            int code = int.Parse(status.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (code >= 500 && code is not (501 or 503 or 504 or 505))
                throw Finding(input, $"answered {code}");
        }
    }

    public async Task<string> ScrapeAsync()
    {
        using var client = new HttpClient { Timeout = Guard };
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
    }

    /// <summary>
    /// Whatever the inputs, the HTTP request metrics are labelled from closed sets (a method of
    /// MetricLabels.HttpMethod, a three-digit code), so their series, and the scrape, stay bounded.
    /// </summary>
    public static void AssertBoundedScrape(string scrape)
    {
        var series = scrape.Split('\n').Where(l => l.StartsWith("rekor_v2_http_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(series);
        foreach (string line in series)
        {
            var labels = HttpLabels().Match(line);
            Assert.True(labels.Success, $"unexpected labels: {line}");
            Assert.Contains(labels.Groups["method"].Value, (string[])["GET", "POST", "HEAD", "other"]);
        }
        // 4 methods x the statuses Kestrel and the API use (well under 40) x the series per label set.
        int labelSets = series.Select(l => HttpLabels().Match(l).Groups["set"].Value).Distinct().Count();
        Assert.True(labelSets <= 4 * 40, $"{labelSets} label sets");
        Assert.True(scrape.Length <= 512 * 1024, $"a scrape of {scrape.Length} bytes");
    }

    private static InvalidOperationException Finding(byte[] input, string what) =>
        new($"{what}; input ({input.Length} bytes): {Encoding.Latin1.GetString(input, 0, Math.Min(input.Length, 300))}");

    [GeneratedRegex(@"(?m)^HTTP/1\.[01] (\d{3}) ")]
    private static partial Regex StatusLine();

    [GeneratedRegex("""\{(?<set>code="\d{3}",method="(?<method>[^"]*)")(,le="[^"]*")?\}""")]
    private static partial Regex HttpLabels();
}
