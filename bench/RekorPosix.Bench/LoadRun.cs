using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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
/// fixed rate, recording each request's latency and status. Each client is one keep-alive
/// connection (see <see cref="PostConnection"/>); a request that takes longer than the timeout, or
/// whose connection fails, counts as "no answer" and its client connects again. Given several
/// servers (instances of one log), the clients are dealt to them in turn.</summary>
public static class LoadRun
{
    public static async Task<LoadResult> RunAsync(IReadOnlyList<Uri> baseUrls, IReadOnlyList<byte[]> bodies, int concurrency, double rate, TimeSpan timeout)
    {
        var servers = new IPEndPoint[baseUrls.Count];
        for (int s = 0; s < servers.Length; s++)
            servers[s] = (await Dns.GetHostAddressesAsync(baseUrls[s].Host).ConfigureAwait(false)).Select(a => new IPEndPoint(a, baseUrls[s].Port)).First();
        // The Host header names the first server: instances of one log answer alike whatever it says.
        var requests = bodies.Select(b => PostConnection.Request(baseUrls[0].Authority, "/api/v2/log/entries", b)).ToArray();
        var latencies = new double[bodies.Count];
        var statuses = new int[bodies.Count];
        int next = -1;
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        int workers = rate > 0 ? Math.Max(concurrency, (int)Math.Ceiling(rate * 2)) : concurrency;
        // When each client's current request started (0: none), for the watchdog below.
        var started = new long[workers];
        var connections = new PostConnection?[workers];
        async Task Worker(int w)
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
                long begin = Stopwatch.GetTimestamp();
                Volatile.Write(ref started[w], begin);
                try
                {
                    connections[w] ??= await PostConnection.OpenAsync(servers[w % servers.Length], stop.Token).ConfigureAwait(false);
                    statuses[i] = await connections[w]!.SendAsync(requests[i], stop.Token).ConfigureAwait(false);
                    if (connections[w]!.Closing)
                        Drop(w);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    statuses[i] = 0; // no answer: connection error or client timeout
                    Drop(w);
                }
                Volatile.Write(ref started[w], 0);
                latencies[i] = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
            }
        }
        void Drop(int w) => Interlocked.Exchange(ref connections[w], null)?.Dispose();
        async Task Watchdog()
        {
            // One timer for all clients instead of a timeout per request: closing an overdue
            // client's socket fails its pending receive.
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
                for (int w = 0; w < workers; w++)
                {
                    long begin = Volatile.Read(ref started[w]);
                    if (begin != 0 && Stopwatch.GetElapsedTime(begin) > timeout)
                        connections[w]?.Dispose();
                }
            }
        }
        var watchdog = Task.Run(Watchdog);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => Worker(w)))).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        await stop.CancelAsync().ConfigureAwait(false);
        await watchdog.ConfigureAwait(false);
        foreach (var connection in connections)
            connection?.Dispose();
        var byStatus = new SortedDictionary<int, int>();
        foreach (int s in statuses)
            byStatus[s] = byStatus.GetValueOrDefault(s) + 1;
        var accepted = Enumerable.Range(0, bodies.Count).Where(i => statuses[i] == (int)HttpStatusCode.Created).ToList();
        return new LoadResult(bodies.Count, accepted.Count, elapsed, accepted.Select(i => latencies[i]).ToArray(), byStatus);
    }
}
