using System.Text;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Signing.Witnessing;

/// <summary>Every status of https://c2sp.org/tlog-witness, from hand-made requests on a real signed log.</summary>
public class AddCheckpointEvaluationTests
{
    private readonly WitnessedTestLog _log = new();

    /// <summary>TryOpen, then (when it opened) Judge against the last cosigned checkpoint.</summary>
    private static WitnessVerdict Evaluate(byte[] body, CosignedCheckpoint? last)
    {
        if (!AddCheckpointEvaluation.TryOpen(body, WitnessedTestLog.Logs, out var submission, out var refusal))
            return refusal;
        return AddCheckpointEvaluation.Judge(submission, last);
    }

    /// <summary>The note with one bit of its signature changed (a base64 character inside it, so the length holds).</summary>
    internal static string Forged(string note)
    {
        int at = note.Length - 20;
        return note[..at] + (note[at] == 'A' ? 'B' : 'A') + note[(at + 1)..];
    }

    private CosignedCheckpoint At(int size, WitnessedTestLog? log = null) => CosignedCheckpoint.Parse((log ?? _log).Note(size));

    [Fact]
    public void FirstCheckpoint_FromOldSizeZero_IsCosigned()
    {
        Assert.Equal(WitnessVerdict.Cosign, Evaluate(_log.Request(0, 5), null));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(5, 13)]
    [InlineData(8, 64)]
    [InlineData(13, 13)]
    public void ConsistentExtension_IsCosigned(int oldSize, int size)
    {
        Assert.True(Evaluate(_log.Request(oldSize, size), At(oldSize)).Cosigns);
    }

    [Fact]
    public void EmptyTree_WithTheEmptyRoot_IsCosigned()
    {
        Assert.True(Evaluate(_log.Request(0, 0), null).Cosigns);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("old 0\n")]
    [InlineData("old x\n\n")]
    [InlineData("old 01\n\n")]
    [InlineData("old 0\nnot base64\n\n")]
    [InlineData("old 0\n\nnot a note")]
    [InlineData("old 0\n\nexample.com/log/testdata\n5\n\n— example.com/log/testdata AAAA\n")]
    public void GarbageBody_Is400(string body)
    {
        Assert.Equal(400, Evaluate(Encoding.UTF8.GetBytes(body), null).Status);
    }

    [Fact]
    public void CheckpointNotUtf8_Is400()
    {
        byte[] body = [.. "old 0\n\n"u8, 0xff, .. Encoding.UTF8.GetBytes(_log.Note(3))];
        var verdict = Evaluate(body, null);
        Assert.Equal(400, verdict.Status);
        Assert.Contains("UTF-8", verdict.Reason);
    }

    [Fact]
    public void SignedTextThatIsNoCheckpoint_Is400()
    {
        string note = SignedNote.Sign("example.com/log/testdata\nnot a size\n", [TestLogKey.Load().CreateNoteSigner(WitnessedTestLog.Origin)]);
        Assert.Equal(400, Evaluate(_log.Request(0, 0, [], note), null).Status);
    }

    [Fact]
    public void MoreThan63ProofLines_Is400()
    {
        var proof = Enumerable.Range(0, 64).Select(_ => new byte[32]).ToList();
        var body = Encoding.ASCII.GetBytes("old 1\n" + string.Concat(proof.Select(p => Convert.ToBase64String(p) + "\n")) + "\n" + _log.Note(5));
        var verdict = Evaluate(body, At(1));
        Assert.Equal(400, verdict.Status);
        Assert.Contains("63", verdict.Reason);
    }

    [Fact]
    public void UnknownOrigin_Is404()
    {
        using var other = LogSigningKey.GenerateEd25519();
        string note = SignedNote.Sign(new Checkpoint("other.example/log", 3, _log.Root(3)).Format(), [other.CreateNoteSigner("other.example/log")]);
        var verdict = Evaluate(_log.Request(0, 3, note: note), null);
        Assert.Equal(404, verdict.Status);
        Assert.Contains("other.example/log", verdict.Reason);
    }

    [Fact]
    public void ForgedLogSignature_Is403()
    {
        var verdict = Evaluate(_log.Request(0, 5, note: Forged(_log.Note(5))), null);
        Assert.Equal(403, verdict.Status);
        Assert.Contains("invalid signature", verdict.Reason);
    }

    [Fact]
    public void SignatureFromAnUnknownKeyOnly_Is403()
    {
        // Same origin, another key: its key ID differs, so it is not the log's key.
        using var impostor = LogSigningKey.GenerateEd25519();
        string note = _log.Note(5, signer: impostor.CreateNoteSigner(WitnessedTestLog.Origin));
        var verdict = Evaluate(_log.Request(0, 5, note: note), null);
        Assert.Equal(403, verdict.Status);
        Assert.Contains("no signature from a known key", verdict.Reason);
    }

    [Fact]
    public void ForgedSignature_Is403_BeforeAnyStateCheck()
    {
        // Old size 3 does not match the witness (0) either: the signature is checked first.
        Assert.Equal(403, Evaluate(_log.Request(3, 5, note: Forged(_log.Note(5))), null).Status);
    }

    [Fact]
    public void OldSizeAboveTheCheckpointsSize_Is400()
    {
        // A rollback: the witness is at 10, the log now says 5.
        var verdict = Evaluate(_log.Request(10, 5, proof: []), At(10));
        Assert.Equal(400, verdict.Status);
        Assert.Null(verdict.WitnessSize);
    }

    [Fact]
    public void RollbackToASmallerSize_FromItsOwnOldSize_Is409WithTheWitnessSize()
    {
        var verdict = Evaluate(_log.Request(5, 5), At(10));
        Assert.Equal(409, verdict.Status);
        Assert.Equal(10, verdict.WitnessSize);
    }

    [Theory]
    [InlineData(0, 7)]
    [InlineData(3, 7)]
    [InlineData(8, 7)]
    public void OldSizeThatIsNotTheWitnesss_Is409WithItsSize(int oldSize, int witnessSize)
    {
        var verdict = Evaluate(_log.Request(oldSize, 20), At(witnessSize));
        Assert.Equal(409, verdict.Status);
        Assert.Equal(witnessSize, verdict.WitnessSize);
    }

    [Fact]
    public void NeverCosigned_AndOldSizeNotZero_Is409WithSizeZero()
    {
        var verdict = Evaluate(_log.Request(3, 5), null);
        Assert.Equal(409, verdict.Status);
        Assert.Equal(0, verdict.WitnessSize);
    }

    [Fact]
    public void SizeZeroWithAnotherRoot_Is422()
    {
        var verdict = Evaluate(_log.Request(0, 0, [], _log.Note(0, root: _log.Root(1))), null);
        Assert.Equal(422, verdict.Status);
    }

    [Fact]
    public void OldSizeZeroWithAProof_Is422()
    {
        var verdict = Evaluate(_log.Request(0, 5, proof: _log.Proof(1, 5)), null);
        Assert.Equal(422, verdict.Status);
        Assert.Contains("size 0", verdict.Reason);
    }

    [Fact]
    public void ForkAtTheSameSize_Is409WithoutASize()
    {
        var fork = new WitnessedTestLog("fork ");
        var verdict = Evaluate(fork.Request(10, 10), At(10));
        Assert.Equal(409, verdict.Status);
        Assert.Null(verdict.WitnessSize);
    }

    [Fact]
    public void ForkAtALargerSize_Is422()
    {
        // The log's key signed another tree: its proof from 10 cannot reach our root at 10.
        var fork = new WitnessedTestLog("fork ");
        var verdict = Evaluate(fork.Request(10, 20), At(10));
        Assert.Equal(422, verdict.Status);
    }

    [Fact]
    public void WrongProof_Is422()
    {
        var proof = _log.Proof(5, 13).Select(h => (byte[])h.Clone()).ToList();
        proof[1][0] ^= 1;
        Assert.Equal(422, Evaluate(_log.Request(5, 13, proof), At(5)).Status);
    }

    [Fact]
    public void ProofOfOtherSizes_Is422()
    {
        Assert.Equal(422, Evaluate(_log.Request(5, 13, _log.Proof(6, 13)), At(5)).Status);
    }

    [Fact]
    public void SameSizeAndRoot_WithAProof_Is422()
    {
        Assert.Equal(422, Evaluate(_log.Request(13, 13, _log.Proof(5, 13)), At(13)).Status);
    }

    [Fact]
    public void ACosignatureFromAnUnknownWitness_IsIgnored()
    {
        var other = WitnessedTestLog.NewCosigner("other.example/witness");
        string note = _log.Note(5) + SignedNote.SignatureLine(other, _log.Text(5));
        Assert.True(Evaluate(_log.Request(0, 5, note: note), null).Cosigns);
    }

    [Fact]
    public void Refusal_AfterTheBodyParsed_StillNamesTheCheckpoint()
    {
        using var impostor = LogSigningKey.GenerateEd25519();
        string note = _log.Note(5, signer: impostor.CreateNoteSigner(WitnessedTestLog.Origin));
        Assert.False(AddCheckpointEvaluation.TryOpen(_log.Request(0, 5, note: note), WitnessedTestLog.Logs, out var submission, out _));
        Assert.Equal(WitnessedTestLog.Origin, submission?.Checkpoint.Origin);
    }
}
