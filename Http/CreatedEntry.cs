namespace RekorPosix.Http;

/// <summary>What a successful CreateEntry answers: the fields of protobuf-specs'
/// TransparencyLogEntry, before either transport renders them.</summary>
public sealed record CreatedEntry(
    long LogIndex,
    byte[] LogId,
    string Kind,
    string Version,
    byte[] RootHash,
    long TreeSize,
    IReadOnlyList<byte[]> Hashes,
    string CheckpointEnvelope,
    byte[] CanonicalizedBody);
