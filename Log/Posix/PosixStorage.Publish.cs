using System.Text;
using RekorPosix.Signing;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Posix;

internal sealed partial class PosixStorage
{
    /// <summary>
    /// Publishes a checkpoint for the durable treeState (.state is fsynced before signing), under
    /// <c>.state/publish.lock</c> so that publishers in several processes take turns. The pace is
    /// kept by the checkpoint's mtime, as tessera does, so it is shared between processes: nothing
    /// is written while the current checkpoint is younger than <paramref name="interval"/>, and an
    /// unchanged tree is only re-signed once the checkpoint is older than <paramref name="republishInterval"/>.
    /// <paramref name="force"/> skips both waits (first publication, shutdown, freeze).
    /// The treeState lock is held too (taken first: the order every holder of both uses), so the
    /// treeState read is never one a batch is still committing: its rename and the fsync of
    /// .state have both returned. <paramref name="holdsTreeStateLock"/>: the caller has it (freeze).
    /// </summary>
    public PublishOutcome PublishCheckpoint(
        Func<string, string> signNote, string origin, TimeSpan interval, TimeSpan republishInterval,
        DateTimeOffset now, bool force = false, IReadOnlyList<string>? extensions = null, bool holdsTreeStateLock = false)
    {
        using var treeStateLock = holdsTreeStateLock ? null : FileLock.Acquire(_paths.TreeStateLock);
        using var fileLock = FileLock.Acquire(_paths.PublishLock);
        var current = new FileInfo(_paths.Checkpoint);
        Checkpoint? published = null;
        if (current.Exists)
        {
            published = ParseCheckpoint(File.ReadAllBytes(current.FullName));
            if (FrozenCheckpoint.IsFrozen(published))
                throw new LogStateException($"{_paths.Root} is frozen at size {published.Size}: its checkpoint is final");
            var age = now - current.LastWriteTimeUtc;
            if (!force && age < interval)
                return PublishOutcome.Skipped(published.Size, current.LastWriteTimeUtc + interval);
        }
        var state = ReadTreeState();
        if (published is not null)
        {
            if (published.Size > state.Size)
                throw new LogStateException(
                    $"checkpoint is at size {published.Size}, ahead of .state/treeState at {state.Size}: refusing to publish");
            if (published.Size == state.Size && !published.RootHash.AsSpan().SequenceEqual(state.Root))
                throw new LogStateException(
                    $"checkpoint and .state/treeState disagree on the root at size {state.Size}: refusing to publish");
            bool unchanged = published.Size == state.Size && published.Extensions.SequenceEqual(extensions ?? []);
            var age = now - current.LastWriteTimeUtc;
            if (!force && unchanged && age < republishInterval)
                return PublishOutcome.Skipped(published.Size, now + interval);
        }
        // The integrator renames treeState into place before it fsyncs .state; when that fsync
        // fails the batch fails, yet the new treeState is readable and may not survive a crash.
        // Fsyncing .state after reading it makes what is signed durable (invariant §10.2), and
        // is cheap when the integrator's own fsync succeeded.
        using (var stateDir = DirectoryHandle.Open(_paths.StateDir))
            stateDir.Fsync();
        var text = new Checkpoint(origin, state.Size, state.Root, extensions ?? []).Format();
        byte[] note = Encoding.UTF8.GetBytes(signNote(text));
        AtomicFiles.Overwrite(_paths.Checkpoint, note);
        return PublishOutcome.Wrote(state.Size, note, now + interval);
    }
}

/// <summary>What one publication attempt did, and when the next one may write.</summary>
internal readonly record struct PublishOutcome(bool Published, long Size, byte[]? Note, DateTimeOffset NextAttempt)
{
    public static PublishOutcome Skipped(long size, DateTimeOffset next) => new(false, size, null, next);
    public static PublishOutcome Wrote(long size, byte[] note, DateTimeOffset next) => new(true, size, note, next);
}
