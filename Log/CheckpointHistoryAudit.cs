using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Signing;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>
/// fsck's check of checkpoint history, after the tree itself is audited: every kept note verifies
/// with the log's key, is of the size its name says, and its root is the tree's root at that size
/// computed from the tiles. A note beyond the published checkpoint is what a crash between keeping
/// and publishing leaves; it holds only up to the integrated size, when the audit can see it.
/// </summary>
internal sealed class CheckpointHistoryAudit(ICheckpointHistory history, ILogReader reader, INoteVerifier verifier)
{
    /// <summary>The number of notes checked, or the first problem, naming the note.</summary>
    public async Task<(long Kept, string? Problem)> RunAsync(Checkpoint published, TreeHead? integrated, CancellationToken cancel)
    {
        long widest = Math.Max(published.Size, integrated?.Size ?? 0);
        var roots = new TreeProofs(reader, NullLogger.Instance);
        long kept = 0;
        await foreach (long size in history.SizesAsync(cancel).ConfigureAwait(false))
        {
            string where = CheckpointHistoryPath.For(size);
            if (size > widest)
                return (kept, $"{where}: beyond the published checkpoint (size {published.Size}){(integrated is null ? "" : " and the integrated tree")}");
            if (await CheckAsync(size, widest, roots, cancel).ConfigureAwait(false) is { } problem)
                return (kept, $"{where}: {problem}");
            kept++;
        }
        return (kept, null);
    }

    private async Task<string?> CheckAsync(long size, long widest, TreeProofs roots, CancellationToken cancel)
    {
        Checkpoint note;
        try
        {
            byte[] bytes = await history.ReadAsync(size, cancel).ConfigureAwait(false) ?? [];
            note = Checkpoint.Parse(SignedNote.Open(Encoding.UTF8.GetString(bytes), [verifier]));
        }
        catch (Exception e) when (e is FormatException or NoteVerificationException)
        {
            return e.Message;
        }
        if (note.Size != size)
            return $"a checkpoint of size {note.Size}";
        byte[] root;
        try
        {
            root = await roots.RootAsync(size, widest, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or FormatException or LogStateException)
        {
            return $"the tiles of size {size} cannot be read: {e.Message}";
        }
        return root.AsSpan().SequenceEqual(note.RootHash)
            ? null
            : $"claims root {Convert.ToBase64String(note.RootHash)}, the tiles give {Convert.ToBase64String(root)} at size {size}";
    }
}
