using Prometheus;
using RekorPosix.Log.Entries;

namespace RekorPosix.Monitoring;

/// <summary>
/// The monitor's metrics, in a registry of their own, served on <c>--metrics-port</c> and/or
/// written to <c>--metrics-file</c> in the Prometheus text format. Counters count from the
/// process's start (one run, with <c>--once</c>).
/// </summary>
internal sealed class MonitorMetrics
{
    public MonitorMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        VerifiedSize = f.CreateGauge("rekor_monitor_verified_size", "Size of the last checkpoint verified, every entry up to it checked.");
        Entries = f.CreateCounter("rekor_monitor_entries_checked_total", "Entries checked, by what they are: hashedrekord, dsse, or malformed (does not parse).", "kind");
        foreach (string kind in new[] { LoggedEntryParser.HashedRekord, LoggedEntryParser.Dsse, "malformed" })
            Entries.WithLabels(kind);
        Matches = f.CreateCounter("rekor_monitor_matches_total", "Entries that matched a watch rule (each reported once on stdout).");
        Failures = f.CreateCounter("rekor_monitor_verification_failures_total", "Checks that found the log inconsistent, badly signed or serving wrong data.");
        InputErrors = f.CreateCounter("rekor_monitor_input_errors_total", "Checks that could not complete: the log unreachable, a file it should serve missing, the state not saved, or an unexpected error.");
        LastSuccess = f.CreateGauge("rekor_monitor_last_success_timestamp_seconds", "When a check last verified the log, in Unix seconds.");
    }

    public CollectorRegistry Registry { get; }
    public Gauge VerifiedSize { get; }
    public Counter Entries { get; }
    public Counter Matches { get; }
    public Counter Failures { get; }
    public Counter InputErrors { get; }
    public Gauge LastSuccess { get; }

    /// <summary>A check that verified the log up to <paramref name="result"/>'s checkpoint.</summary>
    public void Verified(CatchUpResult result, DateTimeOffset now)
    {
        VerifiedSize.Set(result.Checkpoint.Size);
        Entries.WithLabels(LoggedEntryParser.HashedRekord).Inc(result.Tally.HashedRekord);
        Entries.WithLabels(LoggedEntryParser.Dsse).Inc(result.Tally.Dsse);
        Entries.WithLabels("malformed").Inc(result.Tally.Malformed);
        Matches.Inc(result.Tally.Matches);
        LastSuccess.Set(now.ToUnixTimeMilliseconds() / 1000.0);
    }

    public Task WriteAsync(Stream output, CancellationToken cancel) => Registry.CollectAndExportAsTextAsync(output, cancel);
}
