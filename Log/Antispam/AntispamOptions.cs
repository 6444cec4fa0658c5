namespace RekorPosix.Log.Antispam;

/// <summary>How duplicates are caught. Zero for the batch size or the pushback threshold means
/// the default, as the rekor-tiles flags <c>--antispam-max-batch-size</c> and
/// <c>--antispam-pushback-threshold</c> have it.</summary>
public sealed record AntispamOptions
{
    /// <summary>Identities the in-memory LRU keeps: tessera's default (256 Ki).</summary>
    public const int DefaultInMemoryEntries = 262_144;
    /// <summary>Entries the follower indexes per SQLite transaction: the Badger default rekor-tiles
    /// documents. Short transactions keep a crash from redoing much and lag visible early.</summary>
    public const int DefaultMaxBatchSize = 1500;
    /// <summary>Upper bound for the batch size: the follower keeps a buffer of 32 bytes per entry of a batch.</summary>
    public const int MaxMaxBatchSize = 1_000_000;
    /// <summary>Follower lag beyond which every add is pushed back: tessera's default.</summary>
    public const long DefaultPushbackThreshold = 2048;
    /// <summary>How often the follower looks for entries appended without telling it (another process).</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);
    /// <summary>Longest the follower keeps indexing on shutdown: tessera's shutdown timeout.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Keep an index on disk (<c>--persistent-antispam</c>), so duplicates are caught after a
    /// restart too; false deduplicates in memory only.</summary>
    public bool Persistent { get; init; } = true;
    public int InMemoryEntries { get; init; } = DefaultInMemoryEntries;
    public int MaxBatchSize { get; init; }
    public long PushbackThreshold { get; init; }
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;
    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    public int EffectiveMaxBatchSize => MaxBatchSize == 0 ? DefaultMaxBatchSize : MaxBatchSize;
    public long EffectivePushbackThreshold => PushbackThreshold == 0 ? DefaultPushbackThreshold : PushbackThreshold;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (InMemoryEntries < 1)
            throw new ArgumentException($"the in-memory antispam cache must hold at least 1 entry, not {InMemoryEntries}");
        if (MaxBatchSize is < 0 or > MaxMaxBatchSize)
            throw new ArgumentException($"--antispam-max-batch-size must be 0 (the default, {DefaultMaxBatchSize}) to {MaxMaxBatchSize}, not {MaxBatchSize}");
        if (PushbackThreshold < 0)
            throw new ArgumentException($"--antispam-pushback-threshold must not be negative, not {PushbackThreshold}");
        if (PollInterval <= TimeSpan.Zero)
            throw new ArgumentException($"the antispam poll interval must be positive, not {PollInterval}");
        if (DrainTimeout < TimeSpan.Zero)
            throw new ArgumentException($"the antispam drain timeout must not be negative, not {DrainTimeout}");
    }
}
