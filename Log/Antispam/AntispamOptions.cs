namespace RekorPosix.Log.Antispam;

/// <summary>How duplicates are caught. Zero for the batch size or the pushback threshold means
/// the default, as the rekor-tiles flags <c>--antispam-max-batch-size</c> and
/// <c>--antispam-pushback-threshold</c> have it.</summary>
public sealed record AntispamOptions
{
    /// <summary>Identities the in-memory LRU keeps when it is the only dedup: tessera's default (256 Ki).</summary>
    public const int DefaultInMemoryEntries = 262_144;
    /// <summary>
    /// Identities the LRU keeps in front of a persistent index, at least (else four times the
    /// pushback threshold). There it only has to cover what the index does not hold yet, which the
    /// pushback threshold bounds, plus the entries queued for the log; at about 140 bytes an identity,
    /// tessera's 256 Ki would be 36 MiB, most of a small board's budget, for repeats the index
    /// answers anyway.
    /// </summary>
    public const int DefaultInMemoryEntriesBehindIndex = 16_384;
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
    /// <summary><c>--antispam-in-memory-entries</c>; 0: the default for the index in use (<see cref="InMemoryEntriesFor"/>).</summary>
    public int InMemoryEntries { get; init; }
    public int MaxBatchSize { get; init; }
    public long PushbackThreshold { get; init; }
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;
    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    public int EffectiveMaxBatchSize => MaxBatchSize == 0 ? DefaultMaxBatchSize : MaxBatchSize;
    public long EffectivePushbackThreshold => PushbackThreshold == 0 ? DefaultPushbackThreshold : PushbackThreshold;

    /// <summary>The LRU's capacity, given whether a persistent index stands behind it.</summary>
    public int InMemoryEntriesFor(bool persistentIndex) => InMemoryEntries != 0 ? InMemoryEntries
        : persistentIndex ? (int)Math.Clamp(4 * EffectivePushbackThreshold, DefaultInMemoryEntriesBehindIndex, DefaultInMemoryEntries)
        : DefaultInMemoryEntries;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (InMemoryEntries < 0)
            throw new ArgumentException($"--antispam-in-memory-entries must not be negative, not {InMemoryEntries}");
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
