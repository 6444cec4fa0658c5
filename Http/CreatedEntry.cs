namespace RekorPosix.Http;

/// <summary>What a successful CreateEntry answers: the fields of protobuf-specs'
/// TransparencyLogEntry, before either transport renders them. <see cref="IsDuplicate"/>: the
/// entry was logged before, at <see cref="LogIndex"/>, and is returned again
/// (<c>--duplicate-returns-entry</c>) instead of a 409.</summary>
public sealed record CreatedEntry(
    long LogIndex,
    byte[] LogId,
    string Kind,
    string Version,
    byte[] RootHash,
    long TreeSize,
    IReadOnlyList<byte[]> Hashes,
    string CheckpointEnvelope,
    byte[] CanonicalizedBody,
    bool IsDuplicate = false);
