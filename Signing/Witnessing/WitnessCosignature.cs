namespace RekorPosix.Signing.Witnessing;

/// <summary>What a checkpoint carries from one witness.</summary>
public enum CosignatureStatus
{
    /// <summary>Its key's lines all verify (at least one).</summary>
    Signed,

    /// <summary>A line with its key's name and ID does not verify: not counted, as Go's note.Open
    /// rejects a note with a bad signature from a known key.</summary>
    BadSignature,

    /// <summary>No line with its key's name and ID.</summary>
    Missing,
}

/// <summary>One policy witness and its cosignature on a checkpoint; <see cref="Timestamp"/> (POSIX
/// seconds, from the timestamped signature) only when <see cref="CosignatureStatus.Signed"/>.</summary>
public sealed record WitnessCosignature(PolicyWitness Witness, CosignatureStatus Status, ulong? Timestamp);
