namespace RekorPosix.Log;

/// <summary>How the appender batches, publishes and cleans up. Defaults are tessera's (and so
/// rekor-tiles'), each a named constant.</summary>
public sealed record AppendOptions
{
    /// <summary>Entries per integration batch.</summary>
    public const int DefaultBatchMaxSize = 256;
    /// <summary>Longest an entry waits for its batch to fill before the batch is integrated anyway.</summary>
    public static readonly TimeSpan DefaultBatchMaxAge = TimeSpan.FromMilliseconds(250);
    /// <summary>Least time between two checkpoint publications.</summary>
    public static readonly TimeSpan DefaultCheckpointInterval = TimeSpan.FromSeconds(10);
    /// <summary>POSIX floor for the checkpoint interval (tessera #752).</summary>
    public static readonly TimeSpan MinCheckpointInterval = TimeSpan.FromMilliseconds(100);
    /// <summary>An unchanged tree is re-signed this often, so monitors see the log is alive.</summary>
    public static readonly TimeSpan DefaultRepublishInterval = TimeSpan.FromMinutes(10);
    /// <summary>How often partial tiles below the published size are deleted. Often, so that each
    /// run is small: at 1,600 entries/s a minute's partials were ~20,000 files, whose deletion
    /// stalled every write for seconds (the fsyncs wait for the journal).</summary>
    public static readonly TimeSpan DefaultGcInterval = TimeSpan.FromSeconds(5);
    /// <summary>Entries that may wait for integration before Add answers with pushback.</summary>
    public const int DefaultMaxQueuedEntries = 4096;

    public int BatchMaxSize { get; init; } = DefaultBatchMaxSize;
    public TimeSpan BatchMaxAge { get; init; } = DefaultBatchMaxAge;
    public TimeSpan CheckpointInterval { get; init; } = DefaultCheckpointInterval;
    public TimeSpan RepublishInterval { get; init; } = DefaultRepublishInterval;
    public TimeSpan GcInterval { get; init; } = DefaultGcInterval;
    public int MaxQueuedEntries { get; init; } = DefaultMaxQueuedEntries;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (BatchMaxSize < 1)
            throw new ArgumentException($"batch max size must be at least 1, not {BatchMaxSize}");
        if (BatchMaxAge < TimeSpan.Zero)
            throw new ArgumentException($"batch max age must not be negative, not {BatchMaxAge}");
        if (CheckpointInterval < MinCheckpointInterval)
            throw new ArgumentException($"checkpoint interval must be at least {MinCheckpointInterval.TotalMilliseconds} ms, not {CheckpointInterval}");
        if (RepublishInterval < CheckpointInterval)
            throw new ArgumentException($"checkpoint interval {CheckpointInterval} must not exceed the republish interval {RepublishInterval}");
        if (MaxQueuedEntries < BatchMaxSize)
            throw new ArgumentException($"the queue ({MaxQueuedEntries}) must hold at least one batch ({BatchMaxSize})");
    }
}
