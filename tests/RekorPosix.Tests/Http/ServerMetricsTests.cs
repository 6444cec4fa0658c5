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
        Assert.Equal(1, Value(scrape, "rekor_posix_tile_requests_total{code=\"200\"}"));
        Assert.Equal(1, Value(scrape, "rekor_posix_tile_requests_total{code=\"404\"}"));
        Assert.Contains("rekor_posix_batch_size_bucket", scrape);
        Assert.Contains("rekor_v2_http_api_latency_bucket", scrape);
        // rekor-tiles serves the registry on every path.
        Assert.Contains("rekor_v2_new_hashedrekord_entries", await scraper.GetStringAsync($"http://127.0.0.1:{server.Settings.MetricsPort}/"));
    }
}
