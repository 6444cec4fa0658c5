using System.Diagnostics;
using System.Globalization;

namespace RekorPosix.Monitoring;

/// <summary>
/// Progress of one catch-up, for people watching stderr: nothing for a short one, then a line
/// every <see cref="Interval"/> with the entries checked, the total and the rate.
/// </summary>
internal sealed class CatchUpProgress(TextWriter output, TimeSpan interval)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private long _start;
    private long _lastReport;
    private long _total;

    public TimeSpan Interval => interval;

    public long Done { get; private set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>Entries checked per second so far.</summary>
    public double Rate => Done / Math.Max(Elapsed.TotalSeconds, 1e-6);

    public void Start(long total)
    {
        _start = _lastReport = Stopwatch.GetTimestamp();
        _total = total;
        Done = 0;
    }

    public void Advance(long entries)
    {
        Done += entries;
        if (Stopwatch.GetElapsedTime(_lastReport) < interval)
            return;
        _lastReport = Stopwatch.GetTimestamp();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"monitor: checked {Done:N0} of {_total:N0} new entries ({100.0 * Done / _total:F1}%), {Rate:N0} entries/s"));
    }
}
