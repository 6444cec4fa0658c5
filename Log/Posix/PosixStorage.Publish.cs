using RekorPosix.Log.Files;

namespace RekorPosix.Log.Posix;

internal sealed partial class PosixStorage
{
    /// <summary>
    /// Publishes a checkpoint for the durable treeState under <c>.state/publish.lock</c>, so that
    /// publishers in several processes take turns. The pace is kept by the checkpoint's mtime, as
    /// tessera does, so it is shared between processes. treeState is read under its own lock,
    /// which is let go before the checkpoint is made: a slow signer or witness never holds up a
    /// batch. The two locks are never held together here, so no order between them can deadlock.
    /// </summary>
    public async Task<Publication> PublishAsync(PublicationPace pace, CheckpointMaker make, CancellationToken cancel)
    {
        var state = ReadCommittedTreeState();
        using var fileLock = FileLock.Acquire(_paths.PublishLock);
        var file = new FileInfo(_paths.Checkpoint);
        var current = file.Exists ? PublishedCheckpoint.FromNote(File.ReadAllBytes(file.FullName)) : null;
        if (current is not null)
        {
            var body = current.Body();
            if (FrozenCheckpoint.IsFrozen(body))
                throw new LogFrozenException($"{_paths.Root} is frozen at size {current.Size}: its checkpoint is final", current);
            var age = pace.Now - file.LastWriteTimeUtc;
            if (!pace.Force && age < pace.Interval)
                return new Publication(false, current, file.LastWriteTimeUtc + pace.Interval);
            // Another process published a larger tree since treeState was read here.
            if (current.Size > state.Size)
                return new Publication(false, current, pace.Now + pace.Interval);
            if (current.Size == state.Size && !body.RootHash.AsSpan().SequenceEqual(state.Root))
                throw new LogStateException(
                    $"checkpoint and .state/treeState disagree on the root at size {state.Size}: refusing to publish");
            if (!pace.Force && current.Size == state.Size && age < pace.RepublishInterval)
                return new Publication(false, current, pace.Now + pace.Interval);
        }
        var written = await StoreCheckpointAsync(state, current, make, cancel).ConfigureAwait(false);
        return new Publication(true, written, pace.Now + pace.Interval);
    }

    /// <summary>
    /// treeState as committed: read under its lock, so never one a batch is still committing, and
    /// with .state fsynced after the read. The integrator renames treeState into place before it
    /// fsyncs .state; when that fsync fails the batch fails, yet the new treeState is readable and
    /// may not survive a crash: the fsync here makes what is signed durable (invariant §10.2).
    /// </summary>
    private TreeState ReadCommittedTreeState()
    {
        using var treeStateLock = FileLock.Acquire(_paths.TreeStateLock);
        var state = _reader.ReadTreeState();
        using (var stateDir = DirectoryHandle.Open(_paths.StateDir))
            stateDir.Fsync();
        return state;
    }

    /// <summary>Makes the checkpoint for <paramref name="state"/> and writes it; the caller holds
    /// the publication lock. A note that is not for that tree is refused, never stored. With
    /// history on, the note is kept there first, so that a published checkpoint is always kept.</summary>
    private async Task<PublishedCheckpoint> StoreCheckpointAsync(TreeState state, PublishedCheckpoint? current, CheckpointMaker make, CancellationToken cancel)
    {
        byte[] note = await make(state.Head, current, cancel).ConfigureAwait(false);
        var made = PublishedCheckpoint.MadeFor(note, state.Head);
        if (_history is not null)
            await _history.KeepAsync(made, CancellationToken.None).ConfigureAwait(false);
        AtomicFiles.Overwrite(_paths.Checkpoint, note);
        return made;
    }
}
