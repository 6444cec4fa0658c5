namespace RekorPosix.Log;

/// <summary>
/// Makes the checkpoint note a driver publishes for <paramref name="head"/>: the lifecycle composes
/// it (checkpoint text, log signature, then whatever cosigns it). <paramref name="current"/> is the
/// checkpoint stored now, or null. A driver calls it under its publication lock and never under a
/// lock that integration needs, so a slow maker only delays the next checkpoint.
/// </summary>
public delegate Task<byte[]> CheckpointMaker(TreeHead head, PublishedCheckpoint? current, CancellationToken cancel);
