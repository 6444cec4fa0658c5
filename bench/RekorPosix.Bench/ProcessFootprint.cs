using System.Globalization;

namespace RekorPosix.Bench;

/// <summary>What a long run watches for growth in the server: resident memory, open file
/// descriptors and threads, read from /proc.</summary>
public readonly record struct ProcessFootprint(long RssKiB, int OpenFds, int Threads)
{
    public double RssMiB => RssKiB / 1024.0;

    /// <summary>The footprint of a running process, or null once it has gone.</summary>
    public static ProcessFootprint? Of(int pid)
    {
        try
        {
            long rss = 0;
            int threads = 0;
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                    threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
            int fds = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
            return new ProcessFootprint(rss, fds, threads);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
