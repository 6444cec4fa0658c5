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

    /// <summary>Every file under <c>checkpoints/</c> named as a size is; temp files and strays are not.</summary>
    public async IAsyncEnumerable<long> SizesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        string dir = Path.Combine(root, CheckpointHistoryPath.Prefix);
        if (!Directory.Exists(dir))
            yield break;
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            cancel.ThrowIfCancellationRequested();
            if (CheckpointHistoryPath.TryParse(Path.GetRelativePath(root, file), out long size))
                yield return size;
        }
        await Task.CompletedTask.ConfigureAwait(false);
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
