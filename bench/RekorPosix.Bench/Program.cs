using System.Globalization;
using RekorPosix.Bench;

// rekor-bench --url URL [--count N] [--concurrency C] [--rate R] [--mix NAME] [--no-ceiling]
// Prepares N requests, measures the ceiling on them (decode + key load + verify on all cores),
// then posts them to the server and prints throughput as a ratio to that ceiling.
// rekor-bench soak ...: a long run at a fixed rate with tile readers (Soak.cs, bench/soak.sh).
// rekor-bench bulk ...: builds a large log through the integration code (BulkLoad.cs).
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
var options = Args.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: rekor-bench --url http://127.0.0.1:3000 [--count 20000] [--concurrency 256] [--rate 0] [--mix fulcio|pubkey-p256|p384|rsa|ed25519ph|mixed] [--no-ceiling] [--timeout 60] [--server-pid PID]");
    return 2;
}
Console.WriteLine($"mix {options.Mix}, {options.Count} entries, concurrency {options.Concurrency}, rate {(options.Rate > 0 ? options.Rate.ToString(CultureInfo.InvariantCulture) + "/s" : "max")}, {Environment.ProcessorCount} cores");
var bodies = RequestMix.Build(options.Mix, options.Count);
// The machine is shared and noisy: the ceiling is measured just before and just after the load
// and averaged, so that the ratio compares like with like.
double before = options.Ceiling ? Ceiling.EntriesPerSecond(bodies) : double.NaN;
var serverCpu = options.ServerPid > 0 ? ProcessCpu.Of(options.ServerPid) : null;
var clientCpu = ProcessCpu.Self();
var result = await LoadRun.RunAsync(new Uri(options.Url), bodies, options.Concurrency, options.Rate, TimeSpan.FromSeconds(options.TimeoutSeconds));
var clientSpent = ProcessCpu.Self() - clientCpu;
var serverSpent = serverCpu is null ? (TimeSpan?)null : ProcessCpu.Of(options.ServerPid) - serverCpu.Value;
double after = options.Ceiling ? Ceiling.EntriesPerSecond(bodies) : double.NaN;
double ceiling = (before + after) / 2;
if (options.Ceiling)
    Console.WriteLine($"ceiling: {ceiling:F0} entries/s (decode + key load + signature verification alone; {before:F0} before, {after:F0} after the load)");
Console.WriteLine($"accepted: {result.Accepted}/{result.Sent} in {result.Elapsed.TotalSeconds:F2} s = {result.AcceptedPerSecond:F0} entries/s" +
    (options.Ceiling ? $" = {result.AcceptedPerSecond / ceiling:F2} x ceiling" : ""));
Console.WriteLine($"latency ms: p50 {result.Percentile(0.50):F0}  p90 {result.Percentile(0.90):F0}  p99 {result.Percentile(0.99):F0}  max {result.Percentile(1.0):F0}");
// Where the CPU went, per accepted entry: the ceiling's own work is 1/ceiling core-seconds per
// entry; whatever the server and the load generator spend beyond it is what the ratio loses.
if (result.Accepted > 0)
{
    double perEntry(TimeSpan t) => t.TotalMicroseconds / result.Accepted;
    Console.WriteLine($"cpu us/entry: client {perEntry(clientSpent):F0}" +
        (serverSpent is { } s ? $"  server {perEntry(s):F0}" : "") +
        (options.Ceiling ? $"  ceiling work {Environment.ProcessorCount * 1e6 / ceiling:F0}" : "") +
        $"  wall x cores {result.Elapsed.TotalMicroseconds * Environment.ProcessorCount / result.Accepted:F0}");
}
Console.WriteLine("statuses: " + string.Join(", ", result.Statuses.Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value}")));
return result.Accepted == result.Sent ? 0 : 1;

/// <summary>The command line of rekor-bench.</summary>
internal sealed record Args(string Url, int Count, int Concurrency, double Rate, string Mix, bool Ceiling, int TimeoutSeconds, int ServerPid)
{
    public static Args? Parse(string[] args)
    {
        var a = new Args("", 20_000, 256, 0, "fulcio", true, 60, 0);
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
                case "--server-pid" when int.TryParse(value, out int pid) && pid > 0: a = a with { ServerPid = pid }; i++; break;
                case "--no-ceiling": a = a with { Ceiling = false }; break;
                default:
                    Console.Error.WriteLine($"rekor-bench: bad argument {args[i]}");
                    return null;
            }
        }
        return a.Url.Length == 0 ? null : a;
    }
}
