using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Signing.Witnessing;

public class CosignedCheckpointTests
{
    private readonly WitnessedTestLog _log = new();

    private static CheckpointSubmission Open(byte[] body)
    {
        Assert.True(AddCheckpointEvaluation.TryOpen(body, WitnessedTestLog.Logs, out var submission, out var refusal), refusal?.Reason);
        return submission;
    }

    [Fact]
    public void Compose_AppendsTheLine_ToTheNoteAsReceived_AndVerifiesWithBothKeys()
    {
        var cosigner = WitnessedTestLog.NewCosigner();
        var other = WitnessedTestLog.NewCosigner("other.example/witness");
        string received = _log.Note(7) + SignedNote.SignatureLine(other, _log.Text(7));
        var submission = Open(_log.Request(0, 7, note: received));
        string line = SignedNote.SignatureLine(cosigner, submission.Text);

        var cosigned = CosignedCheckpoint.Compose(submission, cosigner, line);

        Assert.Equal(received + line, cosigned.Note);
        Assert.Equal(7, cosigned.Checkpoint.Size);
        var witnessKey = WitnessKey.Parse(cosigner.VerifierKey);
        Assert.Equal(_log.Text(7), SignedNote.Open(cosigned.Note, [witnessKey.CreateVerifier()]));
        Assert.Equal(_log.Text(7), SignedNote.Open(cosigned.Note, [TestLogKey.Verifier()]));
    }

    [Fact]
    public void Compose_DropsAnEarlierLineOfTheSameKey()
    {
        var cosigner = WitnessedTestLog.NewCosigner();
        string earlier = SignedNote.SignatureLine(cosigner, _log.Text(7));
        var submission = Open(_log.Request(0, 7, note: _log.Note(7) + earlier));
        string line = SignedNote.SignatureLine(cosigner, submission.Text);

        var cosigned = CosignedCheckpoint.Compose(submission, cosigner, line);

        Assert.Equal(_log.Note(7) + line, cosigned.Note);
        Assert.Equal(2, SignedNote.Parse(cosigned.Note).Signatures.Count);
    }

    [Fact]
    public void Parse_ReadsSizeAndRootOfTheNote()
    {
        var parsed = CosignedCheckpoint.Parse(_log.Note(9));
        Assert.Equal(9, parsed.Checkpoint.Size);
        Assert.Equal(_log.Root(9), parsed.Checkpoint.RootHash);
        Assert.Equal(WitnessedTestLog.Origin, parsed.Checkpoint.Origin);
    }

    [Theory]
    [InlineData("")]
    [InlineData("example.com/log/testdata\n9\n")]
    [InlineData("example.com/log/testdata\nnine\n\n— example.com/log/testdata AAAAAAA=\n")]
    public void Parse_RefusesWhatIsNoSignedCheckpoint(string note)
    {
        Assert.Throws<FormatException>(() => CosignedCheckpoint.Parse(note));
    }
}
