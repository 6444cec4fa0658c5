using System.Diagnostics.CodeAnalysis;
using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// The checks of https://c2sp.org/tlog-witness on an add-checkpoint request, without I/O. The spec
/// lists them but fixes no order; ours: <see cref="TryOpen"/> needs no state (400 malformed, 404
/// unknown log, 403 signature, 400 old size above the checkpoint's), then <see cref="Judge"/>
/// compares with the last cosigned checkpoint and must run under the lock that also covers storing
/// the new one (409 old size, 422 size-0 root, 422 proof from 0, 409 fork, 422 proof, else cosign).
/// </summary>
public static class AddCheckpointEvaluation
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses the body and checks the checkpoint's log signature. On a refusal
    /// <paramref name="submission"/> is still set when the body parsed (to say whose checkpoint it was).
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> body, WitnessedLogs logs,
        [NotNullWhen(true)] out CheckpointSubmission? submission, [NotNullWhen(false)] out WitnessVerdict? refusal)
    {
        ArgumentNullException.ThrowIfNull(logs);
        submission = null;
        try
        {
            var request = AddCheckpointRequest.Parse(body);
            string note = Decode(request.Checkpoint);
            var envelope = SignedNote.Parse(note);
            submission = new CheckpointSubmission(request, note, envelope, Checkpoint.Parse(envelope.Text));
        }
        catch (FormatException e)
        {
            refusal = WitnessVerdict.BadRequest(e.Message);
            return false;
        }
        refusal = Authenticate(submission, logs);
        if (refusal is null && submission.Request.OldSize > submission.Checkpoint.Size)
            refusal = WitnessVerdict.BadRequest($"old size {submission.Request.OldSize} is above the checkpoint's size {submission.Checkpoint.Size}");
        return refusal is null;
    }

    /// <summary>
    /// The verdict on an opened submission given the last checkpoint this witness cosigned for its
    /// log (null: none yet, which counts as the empty tree).
    /// </summary>
    public static WitnessVerdict Judge(CheckpointSubmission submission, CosignedCheckpoint? last)
    {
        ArgumentNullException.ThrowIfNull(submission);
        long knownSize = last?.Checkpoint.Size ?? 0;
        byte[] knownRoot = last?.Checkpoint.RootHash ?? Rfc6962.EmptyRoot;
        var (request, checkpoint) = (submission.Request, submission.Checkpoint);
        if (request.OldSize != knownSize)
            return WitnessVerdict.SizeMismatch(knownSize);
        if (checkpoint.Size == 0 && !checkpoint.RootHash.AsSpan().SequenceEqual(Rfc6962.EmptyRootSpan))
            return WitnessVerdict.Unprocessable("a checkpoint of size 0 must have the empty tree's root, SHA-256(\"\")");
        if (request.OldSize == 0 && request.Proof.Count > 0)
            return WitnessVerdict.Unprocessable("a consistency proof from size 0 must be empty");
        if (request.OldSize == checkpoint.Size && !checkpoint.RootHash.AsSpan().SequenceEqual(knownRoot))
            return WitnessVerdict.Fork(knownSize);
        if (!MerkleProof.VerifyConsistency(request.OldSize, checkpoint.Size, knownRoot, checkpoint.RootHash, request.Proof))
            return WitnessVerdict.Unprocessable($"the consistency proof from size {request.OldSize} to {checkpoint.Size} does not verify");
        return WitnessVerdict.Cosign;
    }

    // 404 before 403: which keys to check depends on the origin the (unverified) text names.
    private static WitnessVerdict? Authenticate(CheckpointSubmission submission, WitnessedLogs logs)
    {
        if (logs.VerifiersOf(submission.Checkpoint.Origin) is not { } verifiers)
            return WitnessVerdict.UnknownLog(submission.Checkpoint.Origin);
        try
        {
            SignedNote.Open(submission.Note, verifiers);
            return null;
        }
        catch (NoteVerificationException e)
        {
            return WitnessVerdict.Forbidden(e.Message);
        }
    }

    private static string Decode(byte[] note)
    {
        try
        {
            return StrictUtf8.GetString(note);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("malformed note: not valid UTF-8", e);
        }
    }
}
