using System.Text;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Signing.Witnessing;

public class CheckpointWitnessReportTests
{
    private const long Now = 1767225600;

    private static readonly string Text = new Checkpoint(TestData.TesseraOrigin, 15, new byte[32]).Format();
    private static readonly string OtherText = new Checkpoint(TestData.TesseraOrigin, 16, new byte[32]).Format();

    private static readonly Cosigner A = TestWitness.Ed25519("a.example", FixedClock.At(Now));
    private static readonly MlDsaCosigner B = TestWitness.MlDsa44("b.example", FixedClock.At(Now + 1));
    private static readonly Cosigner C = TestWitness.Ed25519("c.example", FixedClock.At(Now + 2));

    private static readonly WitnessPolicy TwoOfThree = WitnessPolicy.Parse(
        $"witness a {A.VerifierKey} https://a.example/\n" +
        $"witness b {B.VerifierKey} https://b.example/\n" +
        $"witness c {C.VerifierKey} https://c.example/\n" +
        "group two 2 a b c\nquorum two\n");

    private static CheckpointWitnessReport Evaluate(string note, WitnessPolicy? policy = null) =>
        CheckpointWitnessReport.Evaluate(Encoding.UTF8.GetBytes(note), TestLogKey.Verifier(), policy ?? TwoOfThree);

    private static CosignatureStatus[] Statuses(CheckpointWitnessReport report) => report.Witnesses.Select(w => w.Status).ToArray();

    /// <summary>A line with the cosigner's name and key ID that does not verify over <see cref="Text"/>.</summary>
    private static string BadLine(INoteSigner cosigner) => SignedNote.SignatureLine(cosigner, OtherText);

    [Fact]
    public void TwoOfThreeSigned_SatisfiesTheQuorum_AndSaysWhoAndWhen()
    {
        var report = Evaluate(TestWitness.Cosigned(Text, A, B));

        Assert.True(report.QuorumSatisfied);
        Assert.Equal([CosignatureStatus.Signed, CosignatureStatus.Signed, CosignatureStatus.Missing], Statuses(report));
        Assert.Equal(["a", "b", "c"], report.Witnesses.Select(w => w.Witness.Name));
        Assert.Equal([(ulong)Now, (ulong)Now + 1, null], report.Witnesses.Select(w => w.Timestamp));
        Assert.Equal(15, report.Checkpoint.Size);
        Assert.Empty(report.Others);
    }

    [Fact]
    public void OneOfThree_DoesNotSatisfyTheQuorum()
    {
        var report = Evaluate(TestWitness.Cosigned(Text, C));

        Assert.False(report.QuorumSatisfied);
        Assert.Equal([CosignatureStatus.Missing, CosignatureStatus.Missing, CosignatureStatus.Signed], Statuses(report));
    }

    [Fact]
    public void ABadCosignature_IsReported_AndNotCounted()
    {
        string note = TestWitness.Cosigned(Text, A) + BadLine(B);

        var report = Evaluate(note);

        Assert.False(report.QuorumSatisfied);
        Assert.Equal([CosignatureStatus.Signed, CosignatureStatus.BadSignature, CosignatureStatus.Missing], Statuses(report));
        Assert.Null(report.Witnesses[1].Timestamp);
    }

    [Fact]
    public void AGoodAndABadLineFromOneWitness_IsBad()
    {
        // As Go's note.Open: a known key's bad signature rejects the note for that key.
        var report = Evaluate(TestWitness.Cosigned(Text, A, C) + BadLine(A));

        Assert.Equal(CosignatureStatus.BadSignature, report.Witnesses[0].Status);
        Assert.False(report.QuorumSatisfied);
    }

    [Fact]
    public void LinesFromOtherKeys_AreListed_Unchecked()
    {
        var stranger = TestWitness.Ed25519("stranger.example", TimeProvider.System);

        var report = Evaluate(TestWitness.Cosigned(Text, A, B, stranger));

        Assert.True(report.QuorumSatisfied);
        Assert.Equal([("stranger.example", stranger.KeyId)], report.Others.Select(s => (s.Name, s.KeyId)));
    }

    [Fact]
    public void WithoutAPolicy_OnlyTheLogSignatureCounts()
    {
        var report = CheckpointWitnessReport.Evaluate(Encoding.UTF8.GetBytes(TestWitness.Cosigned(Text, A)), TestLogKey.Verifier(), null);

        Assert.True(report.QuorumSatisfied);
        Assert.Empty(report.Witnesses);
        Assert.Single(report.Others);
    }

    [Fact]
    public void QuorumNone_IsSatisfiedByTheLogAlone()
    {
        var report = Evaluate(TestWitness.Cosigned(Text), WitnessPolicy.Parse("quorum none\n"));

        Assert.True(report.QuorumSatisfied);
    }

    [Fact]
    public void AForgedLogSignature_IsRefused_WhateverTheWitnessesSigned()
    {
        string signed = TestWitness.Cosigned(Text, A, B, C);
        // The log's line over another checkpoint: the right key name and ID, a wrong signature.
        string forged = Text + "\n" + TestLogKey.SignNote()(OtherText).Split("\n\n")[1] + signed.Split("\n\n")[1].Split('\n', 2)[1];

        Assert.Contains("invalid signature for key example.com/log/testdata+33d7b496",
            Assert.Throws<NoteVerificationException>(() => Evaluate(forged)).Message);
    }

    [Fact]
    public void ACheckpointWithoutTheLogsSignature_IsRefused()
    {
        string witnessesOnly = Text + "\n" + SignedNote.SignatureLine(A, Text) + SignedNote.SignatureLine(B, Text);

        Assert.Contains("no signature from a known key", Assert.Throws<NoteVerificationException>(() => Evaluate(witnessesOnly)).Message);
    }

    [Fact]
    public void AnOriginOtherThanTheKeysName_IsRefused()
    {
        // The log's key, under its own name, signing a checkpoint of another origin.
        string other = new Checkpoint("other.example/log", 15, new byte[32]).Format();

        Assert.Contains("is not the log key's name", Assert.Throws<NoteVerificationException>(() => Evaluate(TestWitness.Cosigned(other))).Message);
    }

    [Fact]
    public void ANoteThatIsNotACheckpoint_IsAFormatError()
    {
        Assert.Throws<FormatException>(() => Evaluate(TestLogKey.SignNote()("hello\n")));
        Assert.Throws<FormatException>(() => Evaluate("no signatures\n"));
    }
}
