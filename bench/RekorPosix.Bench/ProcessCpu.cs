using System.Diagnostics;
using System.Globalization;

namespace RekorPosix.Bench;

/// <summary>CPU time (user + system) a process has used so far, to split a run's cost between the
/// server and the load generator.</summary>
public static class ProcessCpu
{
    public static TimeSpan Self() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Another process's CPU time, from /proc/PID/stat (fields 14 and 15, in clock ticks).</summary>
    public static TimeSpan? Of(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        // The command name (field 2) may hold spaces; the fields that follow start after its ')'.
        string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
        const double TicksPerSecond = 100; // USER_HZ on Linux
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
