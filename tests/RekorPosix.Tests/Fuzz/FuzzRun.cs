using System.Diagnostics;

namespace RekorPosix.Tests.Fuzz;

/// <summary>
/// Runs one fuzz target: <c>FUZZ_INPUTS</c> inputs (default <see cref="DefaultInputs"/>) from a
/// seeded <see cref="Mutator"/> (<c>FUZZ_SEED</c>, default 7). An input that throws what the target
/// does not document, or takes longer than <see cref="SlowInput"/>, is a finding: it is written to
/// <c>FUZZ_CRASH_DIR</c> (default a temp directory) and the test fails naming the file.
/// </summary>
public static class FuzzRun
{
    public const int DefaultInputs = 6_000;
    // Hang guards, not speed limits: wall time on a shared 2-core machine varies a lot (a
    // legitimate cosign key, scrypt N=2^16 tried with three passwords, has taken 8.5 s under
    // load), so only an input that runs for minutes is a finding: slow if it ends, hung if not.
    public static readonly TimeSpan SlowInput = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(3);

    public static int Inputs(int defaultInputs = DefaultInputs) =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_INPUTS"), out int n) && n > 0 ? n : defaultInputs;

    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out int s) ? s : 7;

    /// <summary>Feeds the target; returns the number executed. The target throws to signal a finding.
    /// <paramref name="tokens"/>: pieces of the target's input language for the mutator to insert.</summary>
    public static FuzzReport Execute(string name, IReadOnlyList<byte[]> seeds, Action<byte[]> target, int? inputs = null, IReadOnlyList<byte[]>? tokens = null)
    {
        int count = inputs ?? Inputs();
        var mutator = new Mutator(Seed ^ StableHash(name), tokens);
        var findings = new List<string>();
        byte[] current = [];
        int done = 0;
        var slowest = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var worker = Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < count; i++)
            {
                // Seeds themselves first, then their mutations.
                current = i < seeds.Count ? seeds[i] : mutator.Next(seeds);
                long started = Stopwatch.GetTimestamp();
                try
                {
                    target(current);
                }
                catch (Exception e)
                {
                    findings.Add(Save(name, current, e.ToString()));
                    if (findings.Count >= 5)
                        return;
                }
                var took = Stopwatch.GetElapsedTime(started);
                if (took > slowest)
                    slowest = took;
                if (took > SlowInput)
                    findings.Add(Save(name, current, $"slow: {took.TotalSeconds:F1} s"));
                Volatile.Write(ref done, i + 1);
            }
        }, TaskCreationOptions.LongRunning);

        // Watchdog: an input that makes no progress for a long time is a hang.
        int lastDone = -1;
        var lastProgress = Stopwatch.StartNew();
        while (!worker.Wait(TimeSpan.FromSeconds(1)))
        {
            int now = Volatile.Read(ref done);
            if (now != lastDone)
            {
                lastDone = now;
                lastProgress.Restart();
            }
            else if (lastProgress.Elapsed > Hang)
            {
                findings.Add(Save(name, current, $"hang: no progress for {Hang.TotalSeconds:F0} s"));
                break;
            }
        }
        worker.Exception?.Handle(_ => false);
        return new FuzzReport(name, done, clock.Elapsed, slowest, findings);
    }

    private static int StableHash(string text)
    {
        int hash = 17;
        foreach (char c in text)
            hash = hash * 31 + c;
        return hash;
    }

    private static string Save(string name, byte[] input, string why)
    {
        string dir = Environment.GetEnvironmentVariable("FUZZ_CRASH_DIR") is { Length: > 0 } d
            ? d
            : Path.Combine(Path.GetTempPath(), "rekorposix-fuzz-crashers");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, $"{name}-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(input))[..16].ToLowerInvariant()}");
        File.WriteAllBytes(file, input);
        File.WriteAllText(file + ".txt", why);
        return $"{file}: {why.Split('\n')[0]}";
    }
}

/// <summary>What one fuzz run did.</summary>
public sealed record FuzzReport(string Target, int Executed, TimeSpan Took, TimeSpan Slowest, IReadOnlyList<string> Findings)
{
    public override string ToString() =>
        $"fuzz {Target}: {Executed} inputs in {Took.TotalSeconds:F1} s (slowest {Slowest.TotalMilliseconds:F0} ms), {Findings.Count} findings"
        + string.Concat(Findings.Select(f => "\n  " + f));
}
