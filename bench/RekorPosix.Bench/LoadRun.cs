using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace RekorPosix.Bench;

/// <summary>What one load run measured.</summary>
public sealed record LoadResult(int Sent, int Accepted, TimeSpan Elapsed, double[] LatenciesMs, SortedDictionary<int, int> Statuses)
{
    public double AcceptedPerSecond => Accepted / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
            return double.NaN;
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}

/// <summary>Posts prepared requests to a server: as fast as <c>concurrency</c> clients can, or at a
/// fixed rate, recording each request's latency and status.</summary>
public static class LoadRun
{
    public static async Task<LoadResult> RunAsync(Uri baseUrl, IReadOnlyList<byte[]> bodies, int concurrency, double rate, TimeSpan timeout)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        { BaseAddress = baseUrl, Timeout = timeout };
        var latencies = new double[bodies.Count];
        var statuses = new int[bodies.Count];
        int next = -1;
        var clock = Stopwatch.StartNew();
        async Task Worker()
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= bodies.Count)
                    return;
                if (rate > 0)
                {
                    // Open-loop pacing: request i leaves at i/rate seconds, whatever came before.
                    var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                        await Task.Delay(due).ConfigureAwait(false);
                }
                long started = Stopwatch.GetTimestamp();
                try
                {
                    using var content = new ByteArrayContent(bodies[i]);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await client.PostAsync("/api/v2/log/entries", content).ConfigureAwait(false);
                    await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    statuses[i] = (int)response.StatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    statuses[i] = 0; // no answer: connection error or client timeout
                }
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        int workers = rate > 0 ? Math.Max(concurrency, (int)Math.Ceiling(rate * 2)) : concurrency;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker))).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        var byStatus = new SortedDictionary<int, int>();
        foreach (int s in statuses)
            byStatus[s] = byStatus.GetValueOrDefault(s) + 1;
        var accepted = Enumerable.Range(0, bodies.Count).Where(i => statuses[i] == (int)HttpStatusCode.Created).ToList();
        return new LoadResult(bodies.Count, accepted.Count, elapsed, accepted.Select(i => latencies[i]).ToArray(), byStatus);
    }
}
