using RekorPosix.Log.Files;

namespace RekorPosix.Log.Posix;

internal sealed partial class PosixStorage
{
    /// <summary>
    /// Freezes the log: stores the final checkpoint for the durable treeState while holding
    /// <c>.state/treeState.lock</c>, so that no batch can land in between. Returns null at once,
    /// writing nothing, when another process holds that lock. The tree is checked as at start-up
    /// first. An already frozen log is left exactly as it is: freezing twice changes nothing.
    /// </summary>
    /// <exception cref="LogStateException">Not a log, or a damaged one.</exception>
    public async Task<FreezeOutcome?> TryFreezeAsync(CheckpointMaker make, CancellationToken cancel)
    {
        if (!File.Exists(_paths.TreeState))
            throw new LogStateException($"{_paths.Root} holds no log: {_paths.Relative(_paths.TreeState)} is missing");
        await _integration.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            using var fileLock = FileLock.TryAcquire(_paths.TreeStateLock);
            if (fileLock is null)
                return null;
            EnsureVersion();
            var state = _reader.ReadTreeState();
            await CheckStoredTreeAsync(state, cancel).ConfigureAwait(false);
            using var publishLock = FileLock.Acquire(_paths.PublishLock);
            var current = _reader.ReadCheckpoint() is { } note ? PublishedCheckpoint.FromNote(note) : null;
            if (current is not null && FrozenCheckpoint.IsFrozen(current.Body()))
                return new FreezeOutcome(false, current);
            using (var stateDir = DirectoryHandle.Open(_paths.StateDir))
                stateDir.Fsync();
            return new FreezeOutcome(true, await StoreCheckpointAsync(state, current, make, cancel).ConfigureAwait(false));
        }
        finally
        {
            _integration.Release();
        }
    }
}
