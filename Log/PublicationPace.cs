namespace RekorPosix.Log;

/// <summary>
/// When a driver may write a checkpoint. The pace is kept in the driver's shared state (a file's
/// mtime, a database row), so that every process publishing the log keeps it together: nothing is
/// written while the stored checkpoint is younger than <see cref="Interval"/>, and an unchanged tree
/// is re-signed only once it is older than <see cref="RepublishInterval"/>. <see cref="Force"/>
/// skips both waits (the first publication, shutdown).
/// </summary>
public readonly record struct PublicationPace(TimeSpan Interval, TimeSpan RepublishInterval, DateTimeOffset Now, bool Force = false);

/// <summary>What one publication attempt found: <see cref="Wrote"/> when this call stored a new
/// checkpoint, <see cref="Current"/> the checkpoint stored now (ours or another process's; null
/// before the first), and the earliest time the next attempt may write.</summary>
public readonly record struct Publication(bool Wrote, PublishedCheckpoint? Current, DateTimeOffset NextAttempt);
