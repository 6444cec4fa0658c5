using RekorPosix.Monitoring;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Monitoring;

public class VerifiedCheckpointTests
{
    private static readonly byte[] Tessera = File.ReadAllBytes(TestData.PathOf("tessera-log/checkpoint"));

    [Fact]
    public void ACheckpointSignedByTheLogsKey_IsReadWithItsNoteKept()
    {
        var checkpoint = VerifiedCheckpoint.Verify(Tessera, TestLogKey.Verifier());
        Assert.Equal((15L, "rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs="), (checkpoint.Size, checkpoint.RootText));
        Assert.Same(Tessera, checkpoint.Note);
    }

    [Fact]
    public void ACheckpointOfAnotherOrigin_SignedWithAKeyOfThatName_IsRefused()
    {
        // The key's name is the origin: a note about another log, even signed by this key's holder, is not this log's.
        using var key = LogSigningKey.GenerateEd25519();
        var verifier = NoteVerifiers.FromVerifierKey(key.VerifierKey("log.example"));
        string note = SignedNote.Sign("other.example\n1\n" + Convert.ToBase64String(new byte[32]) + "\n", [key.CreateNoteSigner("log.example")]);

        var error = Assert.Throws<LogVerificationException>(() => VerifiedCheckpoint.Verify(System.Text.Encoding.UTF8.GetBytes(note), verifier));
        Assert.Contains("the checkpoint's origin \"other.example\" is not the log key's name \"log.example\"", error.Message);
    }

    [Fact]
    public void ANoteThatIsNoCheckpoint_IsRefused()
    {
        using var key = LogSigningKey.GenerateEd25519();
        var verifier = NoteVerifiers.FromVerifierKey(key.VerifierKey("log.example"));
        string note = SignedNote.Sign("log.example\nlots\n", [key.CreateNoteSigner("log.example")]);

        var error = Assert.Throws<LogVerificationException>(() => VerifiedCheckpoint.Verify(System.Text.Encoding.UTF8.GetBytes(note), verifier));
        Assert.Contains("Malformed checkpoint", error.Message);
    }
}
