using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Text;

namespace RekorPosix.Bench;

/// <summary>The HTTP/2 attacks on the gRPC port, frames written by hand: rapid reset, SETTINGS
/// and PING floods, CONTINUATION floods, HPACK bombs, stream limits; and gzip bombs on both APIs.</summary>
public static class HostileHttp2
{
    private const string CreateEntry = "/dev.sigstore.rekor.v2.Rekor/CreateEntry";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    public static IEnumerable<HostileAttack> All(HostileOptions o)
    {
        int slow = o.Count(500, 20);
        byte[] request = [.. Http2Wire.Preface, .. Http2Wire.Frame(Http2Wire.Settings, 0, 0, []),
            .. Http2Wire.Frame(Http2Wire.Headers, Http2Wire.EndHeaders, 1, [.. Http2Wire.GrpcRequestBlock(CreateEntry)])];
        yield return new("slowloris (gRPC)", $"{slow} connections sending the HTTP/2 preface, SETTINGS and a gRPC HEADERS frame one byte a second",
            () => HostileHttp1.Slowloris(o.GrpcPort, slow, [], second => second < request.Length ? [request[second]] : []));
        int idle = o.Count(2000, 200);
        yield return new("idle connections (gRPC)", $"{idle} connections that send nothing", () => HostileHttp1.Idle(o, o.GrpcPort, idle));
        int resets = o.Count(20_000, 2_000);
        yield return new("rapid reset (gRPC)", $"{resets} HEADERS + RST_STREAM(CANCEL) pairs on one connection",
            () => Flood(o.GrpcPort, Enumerable.Range(0, resets).SelectMany(i => Stream(2 * i + 1)), mustEnd: false));
        int floods = o.Count(100_000, 5_000);
        yield return new("SETTINGS flood (gRPC)", $"{floods} SETTINGS frames on one connection",
            () => Flood(o.GrpcPort, Enumerable.Range(0, floods).Select(_ => Setting()), mustEnd: false));
        yield return new("PING flood (gRPC)", $"{floods} PING frames on one connection",
            () => Flood(o.GrpcPort, Enumerable.Range(0, floods).Select(_ => Http2Wire.Frame(Http2Wire.Ping, 0, 0, new byte[8])), mustEnd: false));
        int continuations = o.Count(4_000, 400);
        yield return new("CONTINUATION flood (gRPC)", $"one HEADERS without END_HEADERS, then up to {continuations} CONTINUATION frames of 16 KiB of headers",
            () => Flood(o.GrpcPort, ContinuationFlood(continuations), mustEnd: true));
        int bombs = o.Count(200, 20);
        yield return new("HPACK bomb (gRPC)", $"{bombs} streams, each a 4 KiB header put in the dynamic table and referenced 12,000 times (48 MB decoded per 16 KiB sent)",
            () => Flood(o.GrpcPort, Enumerable.Range(0, bombs).Select(i => HpackBomb(2 * i + 1)), mustEnd: false, mustAnswer: true));
        int streams = o.Count(2_000, 300);
        yield return new("stream limit (gRPC)", $"{streams} streams opened and never ended on one connection",
            () => StreamLimit(o.GrpcPort, streams));
        int gzip = o.Count(20, 2);
        yield return new("gzip bomb (gRPC, REST)", $"{gzip}x each: a gRPC message of 64 MiB of zeros gzipped to 64 KiB (grpc-encoding gzip); the same as a REST body with Content-Encoding: gzip",
            () => GzipBombs(o, gzip));
    }

    private static IEnumerable<byte[]> Stream(int id)
    {
        yield return Http2Wire.Frame(Http2Wire.Headers, Http2Wire.EndHeaders, id, [.. Http2Wire.GrpcRequestBlock(CreateEntry)]);
        yield return Http2Wire.RstCancel(id);
    }

    private static byte[] Setting()
    {
        var payload = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(payload, 4); // SETTINGS_INITIAL_WINDOW_SIZE
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(2), 65535);
        return Http2Wire.Frame(Http2Wire.Settings, 0, 0, payload);
    }

    private static IEnumerable<byte[]> ContinuationFlood(int count)
    {
        yield return Http2Wire.Frame(Http2Wire.Headers, 0, 1, [.. Http2Wire.GrpcRequestBlock(CreateEntry)]);
        var block = new List<byte>();
        for (int i = 0; block.Count < 16_000; i++)
            Http2Wire.LiteralNewName(block, $"x-c{i}", new string('c', 100));
        byte[] payload = [.. block];
        for (int i = 0; i < count; i++)
            yield return Http2Wire.Frame(Http2Wire.Continuation, 0, 1, payload);
    }

    private static byte[] HpackBomb(int stream)
    {
        var block = Http2Wire.GrpcRequestBlock(CreateEntry);
        Http2Wire.LiteralNewName(block, "x-bomb", new string('b', 4000), addToTable: true);
        for (int i = 0; i < 12_000; i++)
            block.Add(0x80 | 62); // indexed: the newest dynamic-table entry, the 4 KiB header
        return Http2Wire.Frame(Http2Wire.Headers, Http2Wire.EndHeaders | Http2Wire.EndStream, stream, [.. block]);
    }

    /// <summary>Sends the frames, then waits for the server to have handled them (a PING ack), to
    /// send GOAWAY or to close. <paramref name="mustEnd"/>: only a GOAWAY or a close will do;
    /// <paramref name="mustAnswer"/>: every stream must get an answer (HEADERS or RST_STREAM).</summary>
    private static AttackOutcome Flood(int port, IEnumerable<byte[]> frames, bool mustEnd, bool mustAnswer = false)
    {
        using var probe = Http2Probe.Open(port);
        probe.SendAll(frames);
        bool settled = probe.Settle(Guard);
        string answer = probe.Answer() + (probe.SendFailed ? " (the server stopped reading)" : "");
        if (!settled)
            return new(answer, false, "no PING ack, GOAWAY or close within 60 s");
        if (mustEnd && probe.GoAwayCode is null && !probe.Closed)
            return new(answer, false, "the connection took it all and stayed open");
        if (mustAnswer && probe.GoAwayCode is null && !probe.Closed && !answer.Contains("RST", StringComparison.Ordinal) && probe.HeadersReceived == 0)
            return new(answer, false, "streams went unanswered");
        return new(answer, true);
    }

    private static AttackOutcome StreamLimit(int port, int count)
    {
        using var probe = Http2Probe.Open(port);
        var frames = Enumerable.Range(0, count).Select(i => Http2Wire.Frame(Http2Wire.Headers, Http2Wire.EndHeaders, 2 * i + 1, [.. Http2Wire.GrpcRequestBlock(CreateEntry)]));
        probe.SendAll(frames);
        bool settled = probe.Settle(Guard);
        string answer = probe.Answer();
        // Beyond SETTINGS_MAX_CONCURRENT_STREAMS the server must refuse (RST_STREAM or GOAWAY).
        bool refused = answer.Contains("RST", StringComparison.Ordinal) || probe.GoAwayCode is not null || probe.Closed;
        return new(answer, settled && refused, settled ? refused ? null : "no stream refused" : "no PING ack, GOAWAY or close within 60 s");
    }

    private static AttackOutcome GzipBombs(HostileOptions o, int rounds)
    {
        byte[] zipped = Gzip(64 * 1024 * 1024);
        var tally = new AnswerTally();
        string? finding = null;
        using var h2 = new HttpClient(new SocketsHttpHandler()) { Timeout = Guard };
        using var h1 = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = Guard };
        for (int r = 0; r < rounds; r++)
        {
            var frame = new byte[5 + zipped.Length];
            frame[0] = 1; // compressed
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)zipped.Length);
            zipped.CopyTo(frame, 5);
            using var grpc = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{o.GrpcPort}{CreateEntry}")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(frame),
            };
            grpc.Content.Headers.ContentType = new("application/grpc");
            grpc.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
            grpc.Headers.TryAddWithoutValidation("te", "trailers");
            string g;
            try
            {
                using var response = h2.SendAsync(grpc, HttpCompletionOption.ResponseContentRead).GetAwaiter().GetResult();
                response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult(); // the trailers come after the body
                string status = response.TrailingHeaders.TryGetValues("grpc-status", out var v) ? v.First()
                    : response.Headers.TryGetValues("grpc-status", out var h) ? h.First() : "none";
                g = $"gRPC {(int)response.StatusCode} grpc-status {status}";
                if (response.StatusCode != HttpStatusCode.OK || status is "0" or "none" or "2" or "13")
                    finding ??= g;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                g = "gRPC failed: " + e.GetType().Name;
                finding ??= g;
            }
            tally.Add(g);

            using var rest = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{o.ApiPort}/api/v2/log/entries") { Content = new ByteArrayContent(zipped) };
            rest.Content.Headers.ContentType = new("application/json");
            rest.Content.Headers.ContentEncoding.Add("gzip");
            string a;
            try
            {
                using var response = h1.SendAsync(rest).GetAwaiter().GetResult();
                a = $"REST {(int)response.StatusCode}";
                if ((int)response.StatusCode is < 400 or >= 500)
                    finding ??= a;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                a = "REST failed: " + e.GetType().Name;
                finding ??= a;
            }
            tally.Add(a);
        }
        return new(tally.ToString(), finding is null, finding);
    }

    private static byte[] Gzip(int zeros)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var block = new byte[1024 * 1024];
            for (int i = 0; i < zeros / block.Length; i++)
                gzip.Write(block);
        }
        return output.ToArray();
    }

    /// <summary>Requests with made-up methods, paths, content types and gRPC methods, for the
    /// metric-label check: <paramref name="seed"/> makes each round's garbage new.</summary>
    public static void Garbage(HostileOptions o, int count, int seed)
    {
        var random = new Random(seed);
        string Token() => Convert.ToHexString(BitConverter.GetBytes(random.NextInt64()));
        string[] methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"];
        for (int i = 0; i < count; i++)
        {
            // Every kind of method meets every kind of path in each round, so that a second round can
            // only add a series by a label taken from what the client sent, never by chance.
            string method = i % (methods.Length + 1) == methods.Length ? "X" + Token() : methods[i % (methods.Length + 1)];
            string path = ((i / (methods.Length + 1)) % 2 == 0 ? "/api/v2/" : "/") + Token() + "/" + Token();
            HttpExchange.Send(o.ApiPort, $"{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: x/{Token()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if (i % 4 == 0)
                HttpExchange.Send(o.MetricsPort, $"{method} /{Token()} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        }
        using var probe = Http2Probe.Open(o.GrpcPort);
        probe.SendAll(Enumerable.Range(0, count).Select(i => Http2Wire.Frame(Http2Wire.Headers, Http2Wire.EndHeaders | Http2Wire.EndStream, 2 * i + 1,
            [.. Http2Wire.GrpcRequestBlock(i % 2 == 0 ? $"/{Token()}.{Token()}/{Token()}" : $"/dev.sigstore.rekor.v2.Rekor/{Token()}")])));
        probe.Settle(Guard);
    }

    public static string Scrape(HostileOptions o)
    {
        using var client = new HttpClient { Timeout = Guard };
        return client.GetStringAsync($"http://127.0.0.1:{o.MetricsPort}/metrics").GetAwaiter().GetResult();
    }

    /// <summary>The series of a scrape: every sample line's name and labels, without its value.</summary>
    public static HashSet<string> Series(string scrape) =>
        scrape.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l[..l.LastIndexOf(' ')]).ToHashSet(StringComparer.Ordinal);

    public static HostileAttack MetricLabels(HostileOptions o)
    {
        int count = o.Count(1_000, 100);
        return new("metric labels (all ports)", $"2 rounds of {count} requests with made-up methods, paths, content types and gRPC methods",
            () =>
            {
                string before = Scrape(o);
                Garbage(o, count, 1);
                string first = Scrape(o);
                Garbage(o, count, 2);
                string second = Scrape(o);
                var added = Series(second).Except(Series(first)).ToList();
                string answer = $"scrape {before.Length} B -> {first.Length} B after round 1 -> {second.Length} B after round 2 ({added.Count} new series in round 2)";
                // The label sets are closed: the second round, garbage unlike the first, adds no series.
                bool bounded = added.Count == 0 && first.Length <= before.Length + 64 * 1024;
                return new(answer, bounded, bounded ? null : "new series: " + string.Join(" ", added.Take(5)));
            });
    }
}
