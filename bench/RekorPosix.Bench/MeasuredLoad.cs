namespace RekorPosix.Bench;

/// <summary>One load run with the CPU it cost the load generator, the server (the sum over its
/// instances, when their pids are known) and each watched process (a database, an object store),
/// all per accepted entry and taken over the load alone.</summary>
public sealed record MeasuredLoad(LoadResult Result, double ClientCpuPerEntry, double? ServerCpuPerEntry, IReadOnlyList<(string Name, double? CpuPerEntry)> Watched)
{
    public static async Task<MeasuredLoad> RunAsync(string urls, IReadOnlyList<int> serverPids, IReadOnlyList<(string Name, int Pid)> watched, IReadOnlyList<byte[]> bodies, Args options)
    {
        var serverCpu = serverPids.Count > 0 ? SumOf(serverPids) : null;
        var watchedCpu = watched.Select(w => ProcessCpu.Of(w.Pid)).ToArray();
        var clientCpu = ProcessCpu.Self();
        var targets = urls.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToArray();
        var result = await LoadRun.RunAsync(targets, bodies, options.Concurrency, options.Rate, TimeSpan.FromSeconds(options.TimeoutSeconds)).ConfigureAwait(false);
        var clientSpent = ProcessCpu.Self() - clientCpu;
        var serverSpent = serverCpu is null ? null : SumOf(serverPids) - serverCpu.Value;
        int answered = Math.Max(1, result.Accepted);
        var watchedPerEntry = watched.Select((w, i) => (w.Name, (ProcessCpu.Of(w.Pid) - watchedCpu[i])?.TotalMicroseconds / answered)).ToArray();
        return new MeasuredLoad(result, clientSpent.TotalMicroseconds / answered, serverSpent?.TotalMicroseconds / answered, watchedPerEntry);
    }

    /// <summary>The CPU time of all the processes, or null when one of them is gone.</summary>
    private static TimeSpan? SumOf(IReadOnlyList<int> pids)
    {
        var total = TimeSpan.Zero;
        foreach (int pid in pids)
        {
            if (ProcessCpu.Of(pid) is not { } spent)
                return null;
            total += spent;
        }
        return total;
    }
}
