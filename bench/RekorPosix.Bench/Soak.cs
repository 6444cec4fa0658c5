using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace RekorPosix.Bench;

/// <summary>
/// <c>rekor-bench soak</c>: a long run at a fixed write rate (a share of the measured capacity)
/// with readers fetching tiles alongside. Unique fulcio-style entries are posted open-loop (entry i
/// leaves at i/rate seconds whatever came before), and every few seconds a sample line shows the
/// interval's writes, reads and the server's memory, descriptors and threads. At the end: totals,
/// errors by status and the footprint's range. Exit 0 only if every write got 201 and every read
/// succeeded.
/// </summary>
public static class Soak
{
    /// <summary>Most connections the writers open: enough for the rate at any sane latency, few
    /// enough that a stalled server cannot exhaust the descriptors of either side.</summary>
    private const int MaxWriteConnections = 4096;

    public static async Task<int> RunAsync(SoakOptions o)
    {
        Console.WriteLine($"soak: {o.Rate:F0} writes/s for {o.DurationSeconds} s against {o.Url}; {o.Readers} readers at {o.ReadRate:F0} reads/s from {o.TilesUrl}; " +
            $"pool of {o.Pool} fulcio identities; client keeps idle connections {o.ClientIdleSeconds} s; sample every {o.SampleSeconds} s; {Environment.ProcessorCount} cores");
        var footprint = new FootprintRange(ServerFootprint(o) ?? default);
        string startDescriptors = o.ServerPid > 0 ? OpenDescriptors.Describe(o.ServerPid) : "";
        await using var source = new FreshRequestSource(o.Pool, o.Producers, capacity: Math.Max(1000, (int)(o.Rate * 2)));
        await source.FilledAsync().ConfigureAwait(false);

        using var writeClient = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = MaxWriteConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // The server closes a connection idle for its keep-alive timeout (--server-timeout, 20 s by
            // default). A client that keeps idle connections longer may send a POST on one just as the
            // server closes it, and that POST gets no answer: closing them first leaves no such race.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(o.ClientIdleSeconds),
        })
        { BaseAddress = new Uri(o.Url), Timeout = TimeSpan.FromSeconds(o.TimeoutSeconds) };
        using var readClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.Readers })
        {
            BaseAddress = new Uri(o.TilesUrl.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(o.TimeoutSeconds),
        };
        var writes = new WriteTally();
        var reads = new TileReadTally();
        var reader = new TileReader(readClient, reads);
        long inFlight = 0;
        async Task PostAsync(byte[] body)
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await writeClient.PostAsync("/api/v2/log/entries", content).ConfigureAwait(false);
                await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                writes.Record((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (HttpRequestException e)
            {
                writes.RecordNoAnswer(e.HttpRequestError.ToString(), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (TaskCanceledException)
            {
                writes.RecordNoAnswer("client timeout", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            Interlocked.Decrement(ref inFlight);
        }

        var clock = Stopwatch.StartNew();
        using var stopReads = new CancellationTokenSource();
        var readers = reader.RunAsync(o.ReadRate, o.Readers, stopReads.Token);
        using var stopSampling = new CancellationTokenSource();
        var sampler = SampleAsync(o, clock, writes, reads, reader, footprint, () => Interlocked.Read(ref inFlight), stopSampling.Token);

        long total = (long)Math.Round(o.Rate * o.DurationSeconds);
        long sent = 0, generatorRanDry = 0;
        while (sent < total)
        {
            long due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * o.Rate) + 1);
            for (; sent < due; sent++)
            {
                if (!source.Requests.TryRead(out var body))
                {
                    generatorRanDry++;
                    body = await source.Requests.ReadAsync().ConfigureAwait(false);
                }
                Interlocked.Increment(ref inFlight);
                _ = Task.Run(() => PostAsync(body));
            }
            await Task.Delay(1).ConfigureAwait(false);
        }
        var sendingTook = clock.Elapsed;
        // Every write is answered or times out on the client.
        while (Interlocked.Read(ref inFlight) > 0)
            await Task.Delay(50).ConfigureAwait(false);
        await stopReads.CancelAsync().ConfigureAwait(false);
        await readers.ConfigureAwait(false);
        await stopSampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);

        // The end footprint is taken with the clients' connections closed, so that open descriptors
        // left over are the server's own, not connections still in use.
        writeClient.Dispose();
        readClient.Dispose();
        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var end = ServerFootprint(o);
        if (end is { } e)
            footprint.Add(e);
        Report(o, sent, sendingTook, generatorRanDry, writes, reads, reader, footprint, end);
        if (o.ServerPid > 0)
            Console.WriteLine($"server fds by kind: start {startDescriptors}; end {OpenDescriptors.Describe(o.ServerPid)}");
        bool clean = writes.Accepted == sent && writes.Errors.Count == 0 && reads.ErrorCount == 0 && (o.ServerPid == 0 || end is not null);
        return clean ? 0 : 1;
    }

    private static ProcessFootprint? ServerFootprint(SoakOptions o) => o.ServerPid > 0 ? ProcessFootprint.Of(o.ServerPid) : null;

    private static async Task SampleAsync(SoakOptions o, Stopwatch clock, WriteTally writes, TileReadTally reads, TileReader reader,
        FootprintRange footprint, Func<long> inFlight, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(o.SampleSeconds));
        var last = TimeSpan.Zero;
        bool stopping = false;
        while (!stopping)
        {
            try
            {
                await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stopping = true; // one last sample for the rest of the run
            }
            var now = clock.Elapsed;
            double seconds = (now - last).TotalSeconds;
            last = now;
            var w = writes.TakeInterval();
            var r = reads.TakeInterval();
            string server = "";
            if (o.ServerPid > 0)
            {
                var f = ProcessFootprint.Of(o.ServerPid);
                if (f is { } fp)
                    footprint.Add(fp);
                server = f is { } s ? $" | server rss {s.RssMiB:F1} MiB, fds {s.OpenFds}, threads {s.Threads}" : " | server GONE";
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{now.TotalSeconds,6:F0} s{(stopping ? ", the rest" : "")}] writes {w.Accepted / seconds,7:F1}/s accepted, p50 {w.P50Ms,5:F0} p99 {w.P99Ms,5:F0} ms, errors {WriteTally.Describe(w.Errors)}, in flight {inFlight()}" +
                $" | reads {r.Reads / seconds,6:F1}/s, {r.Bytes / seconds / 1e6,5:F1} MB/s, errors {r.Errors} | size {reader.LatestSize}{server}"));
        }
    }

    private static void Report(SoakOptions o, long sent, TimeSpan sendingTook, long generatorRanDry, WriteTally writes, TileReadTally reads,
        TileReader reader, FootprintRange footprint, ProcessFootprint? end)
    {
        var inv = CultureInfo.InvariantCulture;
        double[] p = writes.OverallPercentiles(0.50, 0.90, 0.99, 0.999, 1.0);
        Console.WriteLine(string.Create(inv, $"writes: {sent} sent in {sendingTook.TotalSeconds:F1} s ({sent / sendingTook.TotalSeconds:F1}/s, target {o.Rate:F0}/s), {writes.Accepted} accepted, {writes.Answered - writes.Accepted} not"));
        Console.WriteLine($"write errors by status: {WriteTally.Describe(writes.Errors)}");
        Console.WriteLine(string.Create(inv, $"write latency ms (accepted, whole run): p50 {p[0]:F0}  p90 {p[1]:F0}  p99 {p[2]:F0}  p99.9 {p[3]:F0}  max {p[4]:F0}"));
        Console.WriteLine(string.Create(inv, $"tile reads: {reads.Reads} ({reads.Reads / sendingTook.TotalSeconds:F1}/s), {reads.Bytes / 1e6:F1} MB, errors: {reads.DescribeErrors()}; " +
            $"partials gone when read (full tile read instead): {reads.PartialsGone}; last checkpoint size read {reader.LatestSize}"));
        Console.WriteLine($"request generator ran dry: {generatorRanDry} times");
        if (o.ServerPid > 0)
        {
            var s = footprint.Start;
            Console.WriteLine(string.Create(inv, $"server rss MiB: start {s.RssMiB:F1}, min {footprint.MinRssKiB / 1024.0:F1}, max {footprint.MaxRssKiB / 1024.0:F1}, end {(end is { } e1 ? e1.RssMiB.ToString("F1", inv) : "GONE")}"));
            Console.WriteLine($"server fds: start {s.OpenFds}, max {footprint.MaxFds}, end {(end is { } e2 ? e2.OpenFds : -1)}; threads: start {s.Threads}, max {footprint.MaxThreads}, end {(end is { } e3 ? e3.Threads : -1)}");
        }
        var endFp = end ?? new ProcessFootprint(-1, -1, -1);
        Console.WriteLine(string.Create(inv,
            $"result sent={sent} accepted={writes.Accepted} write_errors={writes.Answered - writes.Accepted} reads={reads.Reads} read_errors={reads.ErrorCount} " +
            $"rss_start_kib={footprint.Start.RssKiB} rss_min_kib={footprint.MinRssKiB} rss_max_kib={footprint.MaxRssKiB} rss_end_kib={endFp.RssKiB} " +
            $"fds_start={footprint.Start.OpenFds} fds_max={footprint.MaxFds} fds_end={endFp.OpenFds} threads_start={footprint.Start.Threads} threads_end={endFp.Threads}"));
    }
}
