using System.Globalization;
using RekorPosix.Bench;

// rekor-bench --url URL [--count N] [--concurrency C] [--rate R] [--mix NAME] [--no-ceiling]
// Prepares N requests, measures the ceiling on them (decode + key load + verify on all cores),
// then posts them to the server and prints throughput as a ratio to that ceiling.
// rekor-bench soak ...: a long run at a fixed rate with tile readers (Soak.cs, bench/soak.sh).
// rekor-bench bulk ...: builds a large log through the integration code (BulkLoad.cs).
// rekor-bench bulk-hashedrekord ...: the same, of hashedrekord entries with certificates (bench/monitor.sh).
// rekor-bench hostile ...: attacks a running server on loopback, one check per attack (Hostile.cs, bench/hostile.sh).
if (args.Length > 0 && args[0] == "bulk")
{
    // rekor-bench bulk STORAGE_DIR SIGNER_PEM ORIGIN COUNT [ENTRY_SIZE] [BATCH]
    if (args.Length < 5 || !long.TryParse(args[4], out long count))
    {
        Console.Error.WriteLine("usage: rekor-bench bulk STORAGE_DIR SIGNER_PEM ORIGIN COUNT [ENTRY_SIZE=500] [BATCH=65536]");
        return 2;
    }
    int size = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 500;
    int batch = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 65536;
    return BulkLoad.Run(args[1], args[2], args[3], count, size, batch);
}
if (args.Length > 0 && args[0] == "bulk-hashedrekord")
{
    // rekor-bench bulk-hashedrekord STORAGE_DIR SIGNER_PEM ORIGIN COUNT [BATCH]
    if (args.Length < 5 || !long.TryParse(args[4], out long count))
    {
        Console.Error.WriteLine("usage: rekor-bench bulk-hashedrekord STORAGE_DIR SIGNER_PEM ORIGIN COUNT [BATCH=65536]");
        return 2;
    }
    int batch = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 65536;
    return BulkLoad.Run(args[1], args[2], args[3], count, batch, new HashedRekordBodies().At);
}
if (args.Length > 0 && args[0] == "verify-endpoint")
{
    // rekor-bench verify-endpoint PORT: the verify-only reference for --reference-url
    if (args.Length != 2 || !int.TryParse(args[1], out int port) || port is <= 0 or > 65535)
    {
        Console.Error.WriteLine("usage: rekor-bench verify-endpoint PORT");
        return 2;
    }
    return await VerifyEndpoint.RunAsync(port);
}
if (args.Length > 0 && args[0] == "soak")
{
    var soak = SoakOptions.Parse(args[1..]);
    if (soak is null)
    {
        Console.Error.WriteLine(SoakOptions.Usage);
        return 2;
    }
    return await Soak.RunAsync(soak);
}
if (args.Length > 0 && args[0] == "hostile")
{
    var hostile = HostileOptions.Parse(args[1..]);
    if (hostile is null)
    {
        Console.Error.WriteLine(HostileOptions.Usage);
        return 2;
    }
    return Hostile.Run(hostile);
}
var options = Args.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: rekor-bench --url http://127.0.0.1:3000 [--count 20000] [--concurrency 256] [--rate 0] [--mix fulcio|pubkey-p256|p384|rsa|ed25519ph|mixed] [--no-ceiling] [--timeout 60] [--server-pid PID[,PID...]] [--watch NAME=PID]... [--reference-url URL [--reference-pid PID]]\n  --url may list several instances of one log, comma-separated: the clients are dealt to them in turn.");
    return 2;
}
Console.WriteLine($"mix {options.Mix}, {options.Count} entries, concurrency {options.Concurrency}, rate {(options.Rate > 0 ? options.Rate.ToString(CultureInfo.InvariantCulture) + "/s" : "max")}, {Environment.ProcessorCount} cores");
var bodies = RequestMix.Build(options.Mix, options.Count);
// The machine is shared and noisy: the ceiling is measured just before and just after the load
// and averaged, so that the ratio compares like with like.
var before = options.Ceiling ? Ceiling.Measure(bodies) : null;
MeasuredLoad? reference = null;
if (options.ReferenceUrl is { } referenceUrl)
{
    reference = await MeasuredLoad.RunAsync(referenceUrl, options.ReferencePid > 0 ? [options.ReferencePid] : [], [], bodies, options);
    Console.WriteLine($"verify-only endpoint: {reference.Result.AcceptedPerSecond:F0} entries/s ({reference.Result.Accepted}/{reference.Result.Sent} answered 201)" +
        $"; cpu us/entry: client {reference.ClientCpuPerEntry:F0}" + (reference.ServerCpuPerEntry is { } rs ? $"  endpoint {rs:F0}" : ""));
}
var load = await MeasuredLoad.RunAsync(options.Url, options.ServerPids, options.Watched, bodies, options);
var result = load.Result;
var after = options.Ceiling ? Ceiling.Measure(bodies) : null;
double ceiling = before is null || after is null ? double.NaN : (before.EntriesPerSecond + after.EntriesPerSecond) / 2;
double ceilingCpu = before is null || after is null ? double.NaN : (before.CpuPerEntry + after.CpuPerEntry) / 2;
if (options.Ceiling)
    Console.WriteLine($"ceiling: {ceiling:F0} entries/s (decode + key load + signature verification alone; {before!.EntriesPerSecond:F0} before, {after!.EntriesPerSecond:F0} after the load; {ceilingCpu:F0} us of CPU per entry)");
Console.WriteLine($"accepted: {result.Accepted}/{result.Sent} in {result.Elapsed.TotalSeconds:F2} s = {result.AcceptedPerSecond:F0} entries/s" +
    (options.Ceiling ? $" = {result.AcceptedPerSecond / ceiling:F2} x ceiling" : "") +
    (reference is null ? "" : $" = {result.AcceptedPerSecond / reference.Result.AcceptedPerSecond:F2} x verify-only endpoint"));
Console.WriteLine($"latency ms: p50 {result.Percentile(0.50):F0}  p90 {result.Percentile(0.90):F0}  p99 {result.Percentile(0.99):F0}  max {result.Percentile(1.0):F0}");
// Where the CPU went, per accepted entry. The ceiling's own work is part of the server's; what the
// server and the load generator spend beyond it is what the ratio loses. Unlike wall-clock rates,
// CPU per entry hardly moves when other jobs share the machine.
if (result.Accepted > 0)
{
    Console.WriteLine($"cpu us/entry: client {load.ClientCpuPerEntry:F0}" +
        (load.ServerCpuPerEntry is { } s ? $"  server {s:F0}" : "") +
        (options.Ceiling ? $"  ceiling {ceilingCpu:F0}" : "") +
        $"  wall x cores {result.Elapsed.TotalMicroseconds * Environment.ProcessorCount / result.Accepted:F0}");
    // The processes the server leans on (a database, an object store): their share of each entry.
    if (load.Watched.Count > 0)
        Console.WriteLine("cpu us/entry of others: " + string.Join("  ", load.Watched.Select(w => $"{w.Name} {(w.CpuPerEntry is { } c ? c.ToString("F0", CultureInfo.InvariantCulture) : "gone")}")));
    if (options.Ceiling && load.ServerCpuPerEntry is { } server)
        Console.WriteLine($"cpu ratio: {ceilingCpu / (server + load.ClientCpuPerEntry):F2} (ceiling cpu / (server + client cpu) per entry)");
}
Console.WriteLine("statuses: " + string.Join(", ", result.Statuses.Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value}")));
return result.Accepted == result.Sent ? 0 : 1;

/// <summary>The command line of rekor-bench.</summary>
public sealed record Args(string Url, int Count, int Concurrency, double Rate, string Mix, bool Ceiling, int TimeoutSeconds, int[] ServerPids,
    string? ReferenceUrl, int ReferencePid, (string Name, int Pid)[] Watched)
{
    public static Args? Parse(string[] args)
    {
        var a = new Args("", 20_000, 256, 0, "fulcio", true, 60, [], null, 0, []);
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--url" when value is not null: a = a with { Url = value }; i++; break;
                case "--count" when int.TryParse(value, out int n) && n > 0: a = a with { Count = n }; i++; break;
                case "--concurrency" when int.TryParse(value, out int c) && c > 0: a = a with { Concurrency = c }; i++; break;
                case "--rate" when double.TryParse(value, CultureInfo.InvariantCulture, out double r) && r >= 0: a = a with { Rate = r }; i++; break;
                case "--mix" when value is not null && RequestMix.Names.Contains(value): a = a with { Mix = value }; i++; break;
                case "--timeout" when int.TryParse(value, out int t) && t > 0: a = a with { TimeoutSeconds = t }; i++; break;
                case "--server-pid" when Pids(value) is { } pids: a = a with { ServerPids = pids }; i++; break;
                case "--watch" when Watch(value) is { } watch: a = a with { Watched = [.. a.Watched, watch] }; i++; break;
                case "--reference-url" when value is not null: a = a with { ReferenceUrl = value }; i++; break;
                case "--reference-pid" when int.TryParse(value, out int rpid) && rpid > 0: a = a with { ReferencePid = rpid }; i++; break;
                case "--no-ceiling": a = a with { Ceiling = false }; break;
                default:
                    Console.Error.WriteLine($"rekor-bench: bad argument {args[i]}");
                    return null;
            }
        }
        return a.Url.Length == 0 ? null : a;
    }

    /// <summary>"PID[,PID...]", each positive; null otherwise.</summary>
    private static int[]? Pids(string? value)
    {
        var parts = (value ?? "").Split(',');
        var pids = parts.Select(p => int.TryParse(p, out int pid) && pid > 0 ? pid : 0).ToArray();
        return pids.Length > 0 && pids.All(p => p > 0) ? pids : null;
    }

    /// <summary>"NAME=PID"; null otherwise.</summary>
    private static (string, int)? Watch(string? value)
    {
        int equals = value?.IndexOf('=') ?? -1;
        return equals > 0 && int.TryParse(value![(equals + 1)..], out int pid) && pid > 0 ? (value[..equals], pid) : null;
    }
}
