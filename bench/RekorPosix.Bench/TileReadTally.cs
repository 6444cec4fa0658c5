namespace RekorPosix.Bench;

/// <summary>One sampling interval of tile reads.</summary>
public sealed record TileReadInterval(long Reads, long Bytes, long Errors);

/// <summary>
/// Counts the reads of the checkpoint, tiles and bundles: per interval and for the whole run, with
/// the failures by kind (an HTTP status, "no answer" or a body of the wrong shape).
/// </summary>
public sealed class TileReadTally
{
    private readonly Lock _gate = new();
    private long _intervalReads, _intervalBytes, _intervalErrors;

    public long Reads { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>Partial tiles that were gone when read (a newer checkpoint completed them) and were
    /// read in full instead, as the tlog-tiles spec tells clients to.</summary>
    public long PartialsGone { get; private set; }

    public SortedDictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    public long ErrorCount => Errors.Values.Sum();

    public void Ok(long bytes)
    {
        lock (_gate)
        {
            Reads++;
            Bytes += bytes;
            _intervalReads++;
            _intervalBytes += bytes;
        }
    }

    public void PartialGone()
    {
        lock (_gate)
            PartialsGone++;
    }

    public void Failed(string what)
    {
        lock (_gate)
        {
            Reads++;
            _intervalReads++;
            _intervalErrors++;
            Errors[what] = Errors.GetValueOrDefault(what) + 1;
        }
    }

    public TileReadInterval TakeInterval()
    {
        lock (_gate)
        {
            var interval = new TileReadInterval(_intervalReads, _intervalBytes, _intervalErrors);
            _intervalReads = _intervalBytes = _intervalErrors = 0;
            return interval;
        }
    }

    public string DescribeErrors() => Errors.Count == 0 ? "none" : string.Join(", ", Errors.Select(e => $"{e.Key}: {e.Value}"));
}
