using System.Text.RegularExpressions;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

public class ServerMetricsTests
{
    private static double Value(string scrape, string series)
    {
        var match = Regex.Match(scrape, "^" + Regex.Escape(series) + " ([0-9.e+]+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no series {series} in:\n{scrape}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> ScrapeAsync(RekorPosix.Http.ServerMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task WitnessRequestsAndCheckpoints_AreCountedPerWitnessAndOutcome()
    {
        var metrics = new RekorPosix.Http.ServerMetrics();
        metrics.ObserveWitness("http://w1.example/", "ok", TimeSpan.FromMilliseconds(20));
        metrics.ObserveWitness("http://w1.example/", "ok", TimeSpan.FromMilliseconds(30));
        metrics.ObserveWitness("http://w2.example/", "timeout", TimeSpan.FromSeconds(5));
        metrics.ObserveWitnessedCheckpoint(2, failedOpen: false);
        metrics.ObserveWitnessedCheckpoint(1, failedOpen: true);

        string scrape = await ScrapeAsync(metrics);

        Assert.Equal(2, Value(scrape, "rekor_posix_witness_requests_total{witness=\"http://w1.example/\",outcome=\"ok\"}"));
        Assert.Equal(1, Value(scrape, "rekor_posix_witness_requests_total{witness=\"http://w2.example/\",outcome=\"timeout\"}"));
        Assert.Equal(2, Value(scrape, "rekor_posix_witness_request_seconds_count{witness=\"http://w1.example/\"}"));
        Assert.Equal(2, Value(scrape, "rekor_posix_witness_cosignatures_count"));
        Assert.Equal(3, Value(scrape, "rekor_posix_witness_cosignatures_sum"));
        Assert.Equal(1, Value(scrape, "rekor_posix_witness_failed_open_total"));
    }

    [Fact]
    public async Task SpannerTransactions_AreExportedByOutcome_AsTheConnectionsCountThem()
    {
        var metrics = new RekorPosix.Http.ServerMetrics();
        metrics.ObserveTransactions(new RekorPosix.Log.TransactionCounts(Committed: 5, Aborted: 2, Abandoned: 0));
        metrics.ObserveTransactions(new RekorPosix.Log.TransactionCounts(Committed: 9, Aborted: 7, Abandoned: 1));

        string scrape = await ScrapeAsync(metrics);

        Assert.Equal(9, Value(scrape, "rekor_posix_spanner_transactions_total{outcome=\"committed\"}"));
        Assert.Equal(7, Value(scrape, "rekor_posix_spanner_transactions_total{outcome=\"aborted\"}"));
        Assert.Equal(1, Value(scrape, "rekor_posix_spanner_transactions_total{outcome=\"abandoned\"}"));
    }

    [Fact]
    public async Task AScrape_CountsEntriesRequestsAndLogSizes_UnderRekorTilesNames()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        string json = WriteApiRequests.NewJson();
        Assert.Equal(System.Net.HttpStatusCode.Created, (await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(json))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, (await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(json))).StatusCode);

        using var scraper = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await scraper.GetAsync(new Uri(server.TilesAddress, "/checkpoint"))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await scraper.GetAsync(new Uri(server.TilesAddress, "/tile/9/000"))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await scraper.GetAsync(new Uri(server.TilesAddress, "/tile/0/000.p/1"))).StatusCode);
        var response = await scraper.GetAsync($"http://127.0.0.1:{server.Settings.MetricsPort}/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        string scrape = await response.Content.ReadAsStringAsync();
        Assert.Equal(1, Value(scrape, "rekor_v2_new_hashedrekord_entries"));
        Assert.Equal(1, Value(scrape, "rekor_v2_http_requests_total{code=\"201\",method=\"POST\"}"));
        Assert.Equal(1, Value(scrape, "rekor_v2_http_requests_total{code=\"409\",method=\"POST\"}"));
        Assert.Equal(0, Value(scrape, "rekor_v2_inclusion_proof_failure_total"));
        Assert.Equal(1, Value(scrape, "rekor_posix_integrated_size"));
        Assert.Equal(1, Value(scrape, "rekor_posix_published_size"));
        Assert.Contains("rekor_v2_build_info{", scrape);
        Assert.Equal(2, Value(scrape, "rekor_posix_tile_requests_total{code=\"200\"}"));
        Assert.Equal(1, Value(scrape, "rekor_posix_tile_requests_total{code=\"404\"}"));
        Assert.Contains("rekor_posix_batch_size_bucket", scrape);
        Assert.InRange(Value(scrape, "rekor_posix_process_resident_bytes"), 1 << 20, 1L << 40);
        Assert.InRange(Value(scrape, "rekor_posix_gc_committed_bytes"), 1, 1L << 40);
        Assert.Contains("rekor_posix_gc_heap_bytes{generation=\"gen2\"}", scrape);
        Assert.Equal(32, Value(scrape, "rekor_posix_tile_cache_bytes")); // tile/0/000.p/1, one hash
        Assert.Contains("rekor_v2_http_api_latency_bucket", scrape);
        // rekor-tiles serves the registry on every path.
        Assert.Contains("rekor_v2_new_hashedrekord_entries", await scraper.GetStringAsync($"http://127.0.0.1:{server.Settings.MetricsPort}/"));
    }

    [Fact]
    public async Task TheOptIns_AreCounted_ADuplicateReturned_AndProofRouteFailures()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with { DuplicateReturnsEntry = true, SearchIndex = true });
        string json = WriteApiRequests.NewJson();
        Assert.Equal(System.Net.HttpStatusCode.Created, (await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(json))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(json))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await server.Http.GetAsync("/api/v2/proof/inclusion?index=0")).StatusCode);

        using var scraper = new HttpClient();
        string scrape = await scraper.GetStringAsync($"http://127.0.0.1:{server.Settings.MetricsPort}/metrics");
        Assert.Equal(1, Value(scrape, "rekor_v2_new_hashedrekord_entries"));
        Assert.Equal(1, Value(scrape, "rekor_posix_duplicates_returned_total"));
        Assert.Equal(1, Value(scrape, "rekor_v2_http_requests_total{code=\"200\",method=\"POST\"}"));
        Assert.Equal(0, Value(scrape, "rekor_posix_proof_route_failures_total"));
        Assert.InRange(Value(scrape, "rekor_posix_search_index_lag"), 0, 1);
    }

    /// <summary>
    /// Label values that a client chooses (methods, paths, gRPC method names in any case) must not
    /// grow the registry: thousands of distinct ones on every listener leave the same series and a
    /// scrape of the same size. Before the fix each new method was a new series for good.
    /// </summary>
    [Fact]
    public async Task ClientChosenMethodsAndPaths_LeaveTheSeriesAndTheScrapeSizeUnchanged()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        using var scraper = new HttpClient();
        using var grpc = RawGrpcCall.NewClient();
        string metricsUrl = $"http://127.0.0.1:{server.Settings.MetricsPort}/metrics";

        await ClientChosenNamesAsync(server, grpc, first: 0, count: 5);
        string before = await scraper.GetStringAsync(metricsUrl);
        await ClientChosenNamesAsync(server, grpc, first: 5, count: 2000);
        string after = await scraper.GetStringAsync(metricsUrl);

        var added = SeriesNames(after);
        added.ExceptWith(SeriesNames(before));
        Assert.True(added.Count == 0, $"{added.Count} new series, such as {string.Join(", ", added.Take(3))}");
        Assert.Equal(SeriesNames(before).Count, SeriesNames(after).Count);
        // Only counts and sums grew (a few digits each), no series.
        Assert.True(after.Length - before.Length < 1024, $"the scrape grew from {before.Length} to {after.Length} bytes");
    }

    private static async Task ClientChosenNamesAsync(RunningServer server, HttpClient grpc, int first, int count)
    {
        foreach (int port in new[] { server.Settings.HttpPort, server.Settings.MetricsPort, server.Settings.TilesPort })
        {
            var connection = RawHttpConnection.Open(port);
            try
            {
                for (int i = first; i < first + count; i++)
                {
                    string name = i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
                    connection.Request("/x" + name, "M" + name);
                    if (connection.ReadResponse().Header("connection") == "close")
                    {
                        connection.Dispose();
                        connection = RawHttpConnection.Open(port);
                    }
                }
            }
            finally
            {
                connection.Dispose();
            }
        }
        // gRPC routes ignore case, so every spelling of CreateEntry reaches the handler.
        for (int i = first; i < first + Math.Min(count, 200); i++)
        {
            await RawGrpcCall.SendAsync(grpc, server.GrpcAddress, MixedCase(RawGrpcCall.CreateEntryPath, i), RawGrpcCall.Frame([]));
            await RawGrpcCall.SendAsync(grpc, server.GrpcAddress, $"/x.S{i}/M{i}", RawGrpcCall.Frame([]));
        }
    }

    /// <summary>The path with its letters upper-cased where the bits of <paramref name="mask"/> say.</summary>
    private static string MixedCase(string path, int mask)
    {
        var chars = path.ToCharArray();
        int bit = 0;
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsLetter(chars[i]) && (mask >> bit++ & 1) == 1)
                chars[i] = char.ToUpperInvariant(chars[i]);
        }
        return new string(chars);
    }

    private static SortedSet<string> SeriesNames(string scrape) =>
        new(scrape.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l[..l.LastIndexOf(' ')]), StringComparer.Ordinal);
}
