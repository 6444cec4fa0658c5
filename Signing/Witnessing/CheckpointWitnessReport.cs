using System.Buffers.Binary;
using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// A checkpoint checked against its log's key and a witness policy: the log's signature must hold
/// and its origin be the key's name (https://c2sp.org/tlog-checkpoint); then each policy witness is
/// found signed, badly signed or missing, and the quorum is evaluated over those that signed, as
/// tessera evaluates it (https://c2sp.org/tlog-policy). No I/O: the caller brings the note.
/// </summary>
public sealed class CheckpointWitnessReport
{
    private CheckpointWitnessReport(Checkpoint checkpoint, IReadOnlyList<WitnessCosignature> witnesses,
        IReadOnlyList<NoteSignature> others, bool quorumSatisfied)
    {
        Checkpoint = checkpoint;
        Witnesses = witnesses;
        Others = others;
        QuorumSatisfied = quorumSatisfied;
    }

    public Checkpoint Checkpoint { get; }

    /// <summary>The policy's witnesses in its order (none without a policy).</summary>
    public IReadOnlyList<WitnessCosignature> Witnesses { get; }

    /// <summary>Signature lines from neither the log nor a policy witness, unchecked.</summary>
    public IReadOnlyList<NoteSignature> Others { get; }

    /// <summary>Whether the witnesses that signed make the quorum (always true without a policy).</summary>
    public bool QuorumSatisfied { get; }

    /// <exception cref="FormatException">The note or its text is malformed.</exception>
    /// <exception cref="NoteVerificationException">The log's signature is missing or bad, or the
    /// origin is not the log key's name.</exception>
    public static CheckpointWitnessReport Evaluate(ReadOnlySpan<byte> note, INoteVerifier log, WitnessPolicy? policy)
    {
        var checkpoint = Checkpoint.Parse(SignedNote.Open(note, [log]));
        if (checkpoint.Origin != log.Name)
            throw new NoteVerificationException($"the checkpoint's origin \"{checkpoint.Origin}\" is not the log key's name \"{log.Name}\"");
        var envelope = SignedNote.Parse(note);
        byte[] message = Encoding.UTF8.GetBytes(envelope.Text);
        var verifiers = (policy?.Witnesses ?? []).Select(w => (Witness: w, Verifier: w.Key.CreateVerifier())).ToList();
        var witnesses = verifiers.Select(v => Check(v.Witness, v.Verifier, envelope.Signatures, message)).ToList();
        var signed = witnesses.Where(w => w.Status == CosignatureStatus.Signed).Select(w => w.Witness).ToHashSet();
        var others = envelope.Signatures
            .Where(s => !IsBy(log, s) && !verifiers.Any(v => IsBy(v.Verifier, s)))
            .ToList();
        return new CheckpointWitnessReport(checkpoint, witnesses, others, policy?.IsSatisfiedBy(signed.Contains) ?? true);
    }

    private static WitnessCosignature Check(PolicyWitness witness, INoteVerifier verifier, IReadOnlyList<NoteSignature> signatures, byte[] message)
    {
        var lines = signatures.Where(s => IsBy(verifier, s)).ToList();
        if (lines.Count == 0)
            return new WitnessCosignature(witness, CosignatureStatus.Missing, null);
        if (!lines.All(s => verifier.Verify(message, s.Signature)))
            return new WitnessCosignature(witness, CosignatureStatus.BadSignature, null);
        // Both cosignature types start with the 8-byte big-endian timestamp (timestamped_signature).
        return new WitnessCosignature(witness, CosignatureStatus.Signed, BinaryPrimitives.ReadUInt64BigEndian(lines[0].Signature));
    }

    // A (name, key ID) pair identifies a key (https://c2sp.org/signed-note).
    private static bool IsBy(INoteVerifier verifier, NoteSignature signature) =>
        verifier.KeyId == signature.KeyId && verifier.Name == signature.Name;
}
