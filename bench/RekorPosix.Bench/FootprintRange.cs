namespace RekorPosix.Bench;

/// <summary>The server's footprint over a run: where it started and ended, and its extremes.</summary>
public sealed class FootprintRange(ProcessFootprint start)
{
    public ProcessFootprint Start { get; } = start;

    public ProcessFootprint Last { get; private set; } = start;

    public long MinRssKiB { get; private set; } = start.RssKiB;

    public long MaxRssKiB { get; private set; } = start.RssKiB;

    public int MaxFds { get; private set; } = start.OpenFds;

    public int MaxThreads { get; private set; } = start.Threads;

    public void Add(ProcessFootprint f)
    {
        Last = f;
        MinRssKiB = Math.Min(MinRssKiB, f.RssKiB);
        MaxRssKiB = Math.Max(MaxRssKiB, f.RssKiB);
        MaxFds = Math.Max(MaxFds, f.OpenFds);
        MaxThreads = Math.Max(MaxThreads, f.Threads);
    }
}
