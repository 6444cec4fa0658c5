namespace RekorPosix.Bench;

/// <summary>One load run with the CPU it cost the load generator and, when its pid is known, the server.</summary>
public sealed record MeasuredLoad(LoadResult Result, double ClientCpuPerEntry, double? ServerCpuPerEntry)
{
    public static async Task<MeasuredLoad> RunAsync(string url, int serverPid, IReadOnlyList<byte[]> bodies, Args options)
    {
        var serverCpu = serverPid > 0 ? ProcessCpu.Of(serverPid) : null;
        var clientCpu = ProcessCpu.Self();
        var result = await LoadRun.RunAsync(new Uri(url), bodies, options.Concurrency, options.Rate, TimeSpan.FromSeconds(options.TimeoutSeconds)).ConfigureAwait(false);
        var clientSpent = ProcessCpu.Self() - clientCpu;
        var serverSpent = serverCpu is null ? null : ProcessCpu.Of(serverPid) - serverCpu.Value;
        int answered = Math.Max(1, result.Accepted);
        return new MeasuredLoad(result, clientSpent.TotalMicroseconds / answered, serverSpent?.TotalMicroseconds / answered);
    }
}
