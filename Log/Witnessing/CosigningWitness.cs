using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;

namespace RekorPosix.Log.Witnessing;

/// <summary>
/// A tlog-witness (https://c2sp.org/tlog-witness): opens an add-checkpoint request against the logs
/// it witnesses, then, under the log's lock, judges it against the last checkpoint it cosigned,
/// cosigns, and stores the cosigned checkpoint before answering: no cosignature ever leaves that the
/// state does not hold, so the witness never cosigns a rollback or a fork, even after a crash.
/// </summary>
internal sealed class CosigningWitness(WitnessedLogs logs, Cosigner cosigner, WitnessStateStore store)
{
    public WitnessedLogs Logs => logs;

    public Cosigner Cosigner => cosigner;

    public string StateDir => store.StateDir;

    /// <exception cref="IOException">The log's state could not be read or written: nothing was cosigned.</exception>
    /// <exception cref="InvalidDataException">The log's state file is damaged: nothing was cosigned.</exception>
    public async Task<AddCheckpointResult> AddCheckpointAsync(ReadOnlyMemory<byte> body, CancellationToken cancel)
    {
        if (!AddCheckpointEvaluation.TryOpen(body.Span, logs, out var submission, out var refusal))
            return new AddCheckpointResult(refusal, submission?.Checkpoint, null);
        return await store.UpdateAsync(submission.Checkpoint.Origin, last => Decide(submission, last), cancel).ConfigureAwait(false);
    }

    /// <summary>The latest cosigned checkpoint of the log whose state key (hex SHA-256 of its origin) is given.</summary>
    public CosignedCheckpoint? Latest(string key) => store.Read(key);

    private (AddCheckpointResult, CosignedCheckpoint?) Decide(CheckpointSubmission submission, CosignedCheckpoint? last)
    {
        var checkpoint = submission.Checkpoint;
        var verdict = AddCheckpointEvaluation.Judge(submission, last);
        if (!verdict.Cosigns)
            return (new AddCheckpointResult(verdict, checkpoint, null), null);
        string line;
        try
        {
            line = SignedNote.SignatureLine(cosigner, submission.Text);
        }
        catch (ArgumentException e)
        {
            // The log signed a text we hold to be no note (a C1 control character, say).
            return (new AddCheckpointResult(WitnessVerdict.BadRequest(e.Message), checkpoint, null), null);
        }
        return (new AddCheckpointResult(verdict, checkpoint, line), CosignedCheckpoint.Compose(submission, cosigner, line));
    }
}
