using System.Diagnostics;
using RekorPosix.Log.Entries;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Bench;

/// <summary>
/// The most a server on this machine could accept: each request decoded, its key loaded and its
/// signature verified by the server's own code, on every core, with nothing else going on.
/// </summary>
public sealed record Ceiling(double EntriesPerSecond, double CpuPerEntry)
{
    public static Ceiling Measure(IReadOnlyList<byte[]> bodies)
    {
        var validator = new HashedRekordValidator(AllowedAlgorithms.Default);
        // Under the JIT, warm the code up first so that tier-0 code is not what is timed.
        Parallel.For(0, Math.Min(1000, bodies.Count), i => validator.Validate(CreateEntryRequestDecoder.FromJson(bodies[i])));
        var cpu = ProcessCpu.Self();
        var clock = Stopwatch.StartNew();
        Parallel.For(0, bodies.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => validator.Validate(CreateEntryRequestDecoder.FromJson(bodies[i])));
        double seconds = clock.Elapsed.TotalSeconds;
        return new Ceiling(bodies.Count / seconds, (ProcessCpu.Self() - cpu).TotalMicroseconds / bodies.Count);
    }
}
