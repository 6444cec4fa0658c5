using RekorPosix.Log;

namespace RekorPosix.Http;

/// <summary>
/// What the proof and checkpoint-history routes read, in every flavour and in read-only mode too:
/// the latest published checkpoint as the read routes see it, the kept history, and proofs built
/// from the tiles through the flavour's reader.
/// </summary>
/// <param name="latest">The latest published checkpoint (null before the first).</param>
internal sealed class ServedProofs(TreeProofs proofs, Func<CancellationToken, ValueTask<PublishedCheckpoint?>> latest, ICheckpointHistory history)
{
    public TreeProofs Proofs { get; } = proofs;

    public ICheckpointHistory History { get; } = history;

    /// <summary>Finds entries by leaf hash; null until the search index is wired in.</summary>
    public ILeafHashLookup? Leaves { get; set; }

    /// <summary>The latest published checkpoint; 404 before the first.</summary>
    public async ValueTask<PublishedCheckpoint> LatestAsync(CancellationToken cancel) =>
        await latest(cancel).ConfigureAwait(false) ?? throw ApiErrors.NoCheckpointYet();

    /// <summary>
    /// The published checkpoint of <paramref name="size"/>: the latest when it has that size, else
    /// the kept one (404 naming the flag when none is). A size beyond the latest is the client's
    /// error (400), so a note a crash left ahead of the checkpoint is never handed out.
    /// </summary>
    public async ValueTask<PublishedCheckpoint> PublishedAtAsync(string parameter, long size, PublishedCheckpoint newest, CancellationToken cancel)
    {
        if (size > newest.Size)
            throw ApiErrors.Invalid($"{parameter} {size} is beyond the latest checkpoint (size {newest.Size})");
        if (size == newest.Size)
            return newest;
        return await KeptAsync(size, cancel).ConfigureAwait(false) ?? throw ApiErrors.NotKept(size);
    }

    /// <summary>The kept checkpoint of exactly that size, or null. A stored note that does not
    /// parse, or is of another size, is damage (500), never served.</summary>
    public async ValueTask<PublishedCheckpoint?> KeptAsync(long size, CancellationToken cancel)
    {
        byte[]? note;
        try
        {
            note = await History.ReadAsync(size, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ApiErrors.StorageFailed();
        }
        if (note is null)
            return null;
        try
        {
            var kept = PublishedCheckpoint.FromNote(note);
            return kept.Size == size ? kept : throw ApiErrors.StorageFailed();
        }
        catch (LogStateException)
        {
            throw ApiErrors.StorageFailed();
        }
    }
}
