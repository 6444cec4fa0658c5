using System.Text;
using RekorPosix.Signing;

namespace RekorPosix.Log.Posix;

internal sealed partial class PosixStorage
{
    /// <summary>
    /// Freezes the log: publishes the final checkpoint for the durable treeState, with the
    /// <see cref="FrozenCheckpoint"/> line, while holding <c>.state/treeState.lock</c> so that no
    /// batch can land in between. Returns null at once, writing nothing, when another process
    /// holds that lock. The tree is checked as at start-up first, and the current checkpoint must
    /// verify with <paramref name="verifier"/> (the same key and origin). An already frozen log is
    /// left exactly as it is: freezing twice changes nothing.
    /// </summary>
    /// <exception cref="LogStateException">Not a log, a damaged one, or signed by another key.</exception>
    public FreezeOutcome? TryFreeze(Func<string, string> signNote, string origin, INoteVerifier verifier, DateTimeOffset now)
    {
        lock (_integrationMutex)
        {
            if (!File.Exists(_paths.TreeState))
                throw new LogStateException($"{_paths.Root} holds no log: {_paths.Relative(_paths.TreeState)} is missing");
            using var fileLock = FileLock.TryAcquire(_paths.TreeStateLock);
            if (fileLock is null)
                return null;
            EnsureVersion();
            var state = ReadTreeState();
            ResumeEdge(state);
            CheckEntryBundleEdge(state.Size);
            CheckPublishedCheckpoint(state);
            if (ReadCheckpoint() is { } note)
            {
                CheckSigner(note, verifier);
                var published = ParseCheckpoint(note);
                if (FrozenCheckpoint.FrozenLine(published) is { } line)
                    return new FreezeOutcome(false, published.Size, line);
            }
            string frozen = FrozenCheckpoint.Line(now);
            var outcome = PublishCheckpoint(signNote, origin, TimeSpan.Zero, TimeSpan.Zero, now, force: true, extensions: [frozen], holdsTreeStateLock: true);
            return new FreezeOutcome(true, outcome.Size, frozen);
        }
    }

    /// <summary>A frozen log takes no more entries and no newer checkpoint; checked under the
    /// lock of the operation about to write, so it cannot race with a freeze.</summary>
    private void ThrowIfFrozen(string refused)
    {
        if (ReadCheckpoint() is not { } note)
            return;
        var published = ParseCheckpoint(note);
        if (FrozenCheckpoint.FrozenLine(published) is { } line)
            throw new LogStateException(
                $"{_paths.Root} is frozen at size {published.Size} (\"{line}\"): {refused}; serve it with --read-only");
    }

    private void CheckSigner(byte[] note, INoteVerifier verifier)
    {
        try
        {
            SignedNote.Open(Encoding.UTF8.GetString(note), [verifier]);
        }
        catch (Exception e) when (e is FormatException or NoteVerificationException)
        {
            throw new LogStateException(
                $"{_paths.Relative(_paths.Checkpoint)} does not verify with this key for origin {verifier.Name} ({e.Message}): " +
                "freeze needs the log's own key and origin (--signer-filepath, --hostname)", e);
        }
    }
}

/// <summary>What a freeze did: <see cref="Wrote"/> is false when the log was frozen already.</summary>
internal readonly record struct FreezeOutcome(bool Wrote, long Size, string FrozenLine);
