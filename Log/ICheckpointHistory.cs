namespace RekorPosix.Log;

/// <summary>
/// Checkpoint history (<c>--checkpoint-history</c>): every checkpoint the log publishes, kept once
/// per tree size under <see cref="Tiles.CheckpointHistoryPath"/>, append-only and never rewritten,
/// so that an auditor holding an old bundle can fetch the checkpoint it was issued against.
/// A driver keeps the note before its checkpoint's own commit point: a published checkpoint always
/// has its history copy, and a crash in between leaves a note ahead of <c>checkpoint</c> (still a
/// signed checkpoint of an integrated tree, so never served beyond the published size).
/// </summary>
public interface ICheckpointHistory
{
    /// <summary>Stores the note for its size, durably, unless a note of that size is kept already:
    /// the first one published at a size stays (a re-publication with other cosignatures or a new
    /// timestamp is not written over it).</summary>
    Task KeepAsync(PublishedCheckpoint checkpoint, CancellationToken cancel);

    /// <summary>The note kept for <paramref name="treeSize"/> exactly as published, or null.</summary>
    ValueTask<byte[]?> ReadAsync(long treeSize, CancellationToken cancel);

    /// <summary>The sizes of every kept note, in no particular order (for fsck).</summary>
    IAsyncEnumerable<long> SizesAsync(CancellationToken cancel);
}
