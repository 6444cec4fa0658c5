using System.Globalization;

namespace RekorPosix.Tests.Support;

/// <summary>Memory figures of another process, from the kernel's /proc/PID files.</summary>
public static class ProcStatus
{
    /// <summary>A size field of /proc/PID/status (VmRSS, VmHWM, ...) in bytes; the kernel gives kB.</summary>
    public static long Bytes(int pid, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"no {field} in /proc/{pid}/status");
    }

    /// <summary>Sets VmHWM back to the current VmRSS (clear_refs 5), so that it holds the peak of
    /// what follows only, not of start-up.</summary>
    public static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");
}
