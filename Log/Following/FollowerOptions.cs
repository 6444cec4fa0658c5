namespace RekorPosix.Log.Following;

/// <summary>How a <see cref="LogFollower"/> runs.</summary>
/// <param name="Name">What it feeds, for log lines ("Antispam", "Search").</param>
/// <param name="MaxBatchSize">Entries per commit.</param>
/// <param name="CatchUpAtOpen">Lag up to which opening indexes the log's entries before it
/// returns (0: never; the follower's thread catches up).</param>
/// <param name="PollInterval">How often it looks for entries appended without telling it (another process).</param>
/// <param name="DrainTimeout">Longest it keeps indexing on dispose.</param>
internal sealed record FollowerOptions(string Name, int MaxBatchSize, long CatchUpAtOpen, TimeSpan PollInterval, TimeSpan DrainTimeout);
