using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Posix;

/// <summary>The posix <c>fsck</c> command over a log whose checkpoint carries witness cosignatures.</summary>
public class FsckCommandTests
{
    private static (int Code, string Out, string Err) Fsck(string dir, string? vkey = TestData.TesseraVkey, string? publicKey = null, string? hostname = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = FsckCommand.Run(dir, vkey, publicKey, hostname, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void ACheckpointWithCosignatureLines_Passes_AndIsLeftAsItIs()
    {
        using var dir = new TempDir();
        string log = dir["log"];
        TestWitness.WriteCosignedTesseraLog(log, TestWitness.Ed25519("w.example/ed", TimeProvider.System),
            TestWitness.MlDsa44("w.example/ml", TimeProvider.System));
        string checkpoint = Path.Combine(log, "checkpoint");
        byte[] before = File.ReadAllBytes(checkpoint);
        var written = File.GetLastWriteTimeUtc(checkpoint);

        var (code, output, error) = Fsck(log);
        var (pemCode, _, pemError) = Fsck(log, vkey: null, publicKey: TestData.PathOf("tessera-log-key.pub.pem"), hostname: TestData.TesseraOrigin);

        Assert.True(code == 0, error);
        Assert.True(pemCode == 0, pemError);
        Assert.Contains("fsck: OK", output);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
        Assert.Equal(written, File.GetLastWriteTimeUtc(checkpoint));
    }

    [Fact]
    public void ACosignatureLine_InTheLogsOwnNameAndKeyId_ThatDoesNotVerify_Fails()
    {
        // Only the log's key is known to fsck: a bad line under it is a bad log signature.
        using var dir = new TempDir();
        string log = dir["log"];
        string note = TestWitness.WriteCosignedTesseraLog(log);
        string logLine = note.Split("\n\n")[1];
        string other = TestLogKey.SignNote()(new RekorPosix.Tiles.Checkpoint(TestData.TesseraOrigin, 15, new byte[32]).Format()).Split("\n\n")[1];
        File.WriteAllText(Path.Combine(log, "checkpoint"), note.Replace(logLine, logLine + other));

        var (code, _, error) = Fsck(log);

        Assert.Equal(1, code);
        Assert.Contains("invalid signature", error);
    }
}
