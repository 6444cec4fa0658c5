using RekorPosix.Interop;
using RekorPosix.Log.Files;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Posix;

/// <summary>
/// Checkpoint history in a log directory: one file per tree size under <c>checkpoints/</c>, made
/// with <see cref="AtomicFiles.CreateExclusive"/> (temp file, fsync, link, directory fsync), so a
/// note is whole or absent and link(2) refuses to replace the first one of its size.
/// </summary>
internal sealed class CheckpointHistoryFiles(string root) : ICheckpointHistory
{
    public string PathOf(long treeSize) => Path.Combine(root, CheckpointHistoryPath.For(treeSize));

    public Task KeepAsync(PublishedCheckpoint checkpoint, CancellationToken cancel)
    {
        try
        {
            AtomicFiles.CreateExclusive(PathOf(checkpoint.Size), checkpoint.Note);
        }
        catch (IOException e) when (e.HResult == Errno.EEXIST)
        {
            // Kept at an earlier publication of this size: that note stays.
        }
        return Task.CompletedTask;
    }

    public ValueTask<byte[]?> ReadAsync(long treeSize, CancellationToken cancel)
    {
        try
        {
            return new(File.ReadAllBytes(PathOf(treeSize)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new((byte[]?)null);
        }
    }
}
