namespace RekorPosix.Log;

/// <summary>A checkpoint as published: its tree size and the signed note exactly as stored.</summary>
public sealed record PublishedCheckpoint(long Size, byte[] Note);
