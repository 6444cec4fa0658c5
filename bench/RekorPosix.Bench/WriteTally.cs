using System.Globalization;

namespace RekorPosix.Bench;

/// <summary>One sampling interval of writes: what was answered in it and how fast.</summary>
public sealed record WriteInterval(long Answered, long Accepted, double P50Ms, double P99Ms, SortedDictionary<string, long> Errors);

/// <summary>
/// Counts the answers to writes, both per sampling interval (taken and reset by the sampler) and
/// for the whole run. Errors are kept by status, or by why there was no answer at all.
/// </summary>
public sealed class WriteTally
{
    private readonly Lock _gate = new();
    private List<double> _intervalLatencies = [];
    private SortedDictionary<string, long> _intervalErrors = new(StringComparer.Ordinal);
    private long _intervalAnswered;
    // Float latencies: a 30-minute run at a few thousand a second keeps millions of them.
    private readonly List<float> _acceptedLatencies = [];

    public long Answered { get; private set; }

    public long Accepted { get; private set; }

    public SortedDictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    public void Record(int status, double latencyMs) => Record(status, latencyMs, status.ToString(CultureInfo.InvariantCulture));

    /// <summary>A write that got no answer: a connection error or the client's timeout.</summary>
    public void RecordNoAnswer(string why, double latencyMs) => Record(0, latencyMs, $"no answer ({why})");

    private void Record(int status, double latencyMs, string error)
    {
        lock (_gate)
        {
            Answered++;
            _intervalAnswered++;
            if (status == 201)
            {
                Accepted++;
                _intervalLatencies.Add(latencyMs);
                _acceptedLatencies.Add((float)latencyMs);
            }
            else
            {
                Errors[error] = Errors.GetValueOrDefault(error) + 1;
                _intervalErrors[error] = _intervalErrors.GetValueOrDefault(error) + 1;
            }
        }
    }

    public WriteInterval TakeInterval()
    {
        List<double> latencies;
        SortedDictionary<string, long> errors;
        long answered;
        lock (_gate)
        {
            (latencies, _intervalLatencies) = (_intervalLatencies, []);
            (errors, _intervalErrors) = (_intervalErrors, new(StringComparer.Ordinal));
            (answered, _intervalAnswered) = (_intervalAnswered, 0);
        }
        latencies.Sort();
        return new WriteInterval(answered, latencies.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99), errors);
    }

    /// <summary>Latency percentiles of the accepted writes of the whole run.</summary>
    public double[] OverallPercentiles(params double[] ps)
    {
        float[] sorted;
        lock (_gate)
            sorted = [.. _acceptedLatencies];
        Array.Sort(sorted);
        return [.. ps.Select(p => sorted.Length == 0 ? double.NaN : sorted[Rank(p, sorted.Length)])];
    }

    public static string Describe(SortedDictionary<string, long> errors) =>
        errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value}"));

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Rank(p, sorted.Count)];

    private static int Rank(double p, int count) => Math.Min(count - 1, Math.Max(0, (int)Math.Ceiling(p * count) - 1));
}
