using System.Globalization;

namespace RekorPosix.Bench;

/// <summary>
/// rekor-bench hostile: runs each attack against a running server (bench/hostile.sh) and prints one
/// PASS/FAIL line per attack. An attack passes when the server answered as a sound one does, still
/// answers /healthz, its descriptors came back, its memory stayed within a generous bound, and it
/// logged no more than a few lines for it. A markdown table row per attack goes to --table.
/// </summary>
public static class Hostile
{
    // Descriptors the server may keep beyond its start after an attack (pooled readers and the like).
    private const int FdSlack = 20;
    // Generous: the point is to catch memory that grows with what a client sends.
    private const long RssSlackKiB = 256 * 1024;

    public static int Run(HostileOptions o)
    {
        var watch = new ServerWatch(o);
        var attacks = HostileHttp1.All(o).Concat(HostileHttp2.All(o)).Append(HostileHttp2.MetricLabels(o)).ToList();
        var rows = new List<string>
        {
            "| attack | sent | answer | RSS MiB before → after | fds before → after | log lines / bytes |",
            "|---|---|---|---|---|---|",
        };
        int failed = 0;
        foreach (var attack in attacks)
        {
            if (watch.Now() is not { } before)
            {
                Console.WriteLine($"FAIL {attack.Name}: the server is gone before it");
                failed++;
                continue;
            }
            var started = DateTime.UtcNow;
            AttackOutcome outcome;
            try
            {
                outcome = attack.Run();
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or HttpRequestException)
            {
                outcome = new AttackOutcome($"client error {e.GetType().Name}", false, e.Message);
            }
            double seconds = (DateTime.UtcNow - started).TotalSeconds;
            watch.SettleDescriptors(before.Fds + FdSlack, TimeSpan.FromSeconds(30));
            bool healthy = watch.Healthy();
            var after = watch.Now() ?? new ServerState(-1, -1, before.LogBytes, before.LogLines);
            int lines = after.LogLines - before.LogLines;
            long bytes = after.LogBytes - before.LogBytes;
            // Throttled warnings: a few lines per kind and 10 s, whatever the client sends.
            int maxLines = 4 + 3 * (int)Math.Ceiling(seconds / 10);
            var problems = new List<string>();
            if (!outcome.AsExpected)
                problems.Add("unexpected answer: " + outcome.Finding);
            if (!healthy)
                problems.Add("/healthz no longer answers 200");
            if (after.Fds < 0 || after.Fds > before.Fds + FdSlack)
                problems.Add($"descriptors {before.Fds} -> {after.Fds}");
            if (after.RssKiB < 0 || after.RssKiB > before.RssKiB + RssSlackKiB)
                problems.Add($"RSS {before.RssKiB / 1024} -> {after.RssKiB / 1024} MiB");
            if (lines > maxLines)
                problems.Add($"{lines} log lines (at most {maxLines}): {First(watch.LogSince(before.LogBytes))}");
            string figures = $"{outcome.Answer}; RSS {Mib(before.RssKiB)} -> {Mib(after.RssKiB)} MiB, fds {before.Fds} -> {after.Fds}, log +{lines} lines/{bytes} B, {seconds:F0} s";
            if (problems.Count == 0)
            {
                Console.WriteLine($"PASS {attack.Name} ({figures})");
            }
            else
            {
                Console.WriteLine($"FAIL {attack.Name}: {string.Join("; ", problems)} ({figures})");
                failed++;
            }
            rows.Add($"| {attack.Name} | {attack.Sent} | {outcome.Answer.Replace("|", "/", StringComparison.Ordinal)} | {Mib(before.RssKiB)} → {Mib(after.RssKiB)} | {before.Fds} → {after.Fds} | {lines} / {bytes} |");
        }
        if (o.Table is { } table)
            File.WriteAllLines(table, rows);
        return failed == 0 ? 0 : 1;
    }

    private static string Mib(long kib) => kib < 0 ? "gone" : (kib / 1024.0).ToString("F0", CultureInfo.InvariantCulture);

    private static string First(string log) => log.Split('\n').FirstOrDefault(l => l.Length > 0) ?? "";
}
