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

    /// <summary>A log keeping history, published at sizes 0, 300 and 310.</summary>
    private static string LogWithHistory(TempDir dir)
    {
        string log = dir["log"];
        var storage = new PosixStorage(log, keepHistory: true);
        storage.Open();
        var signer = TestLogKey.Signer();
        foreach (int count in new[] { 0, 300, 10 })
        {
            if (count > 0)
                storage.SequenceAsync(Enumerable.Range(0, count).Select(i => (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes($"{count}-{i}")).ToList(),
                    CancellationToken.None).GetAwaiter().GetResult();
            storage.PublishCheckpoint(signer, TimeSpan.FromHours(1), TimeSpan.FromHours(1), DateTimeOffset.UtcNow, force: true);
        }
        return log;
    }

    [Fact]
    public void KeptCheckpoints_AreChecked_AndCounted()
    {
        using var dir = new TempDir();
        var (code, output, error) = Fsck(LogWithHistory(dir));

        Assert.True(code == 0, error);
        Assert.Contains("and 3 kept checkpoints", output);
    }

    [Fact]
    public void AKeptCheckpoint_ThatIsNotTheTreesAtItsSize_Fails_Named()
    {
        using var dir = new TempDir();
        string log = LogWithHistory(dir);
        string kept = Path.Combine(log, "checkpoints/300");
        File.WriteAllBytes(kept, TestLogKey.Signer().Sign(new RekorPosix.Log.TreeHead(300, new byte[32])));

        var (code, _, error) = Fsck(log);

        Assert.Equal(1, code);
        Assert.Contains("fsck: FAILED: checkpoints/300: claims root AAAA", error);
    }

    [Theory]
    [InlineData("checkpoints/310", "the tampered note", "checkpoints/310: ")]
    [InlineData("checkpoints/311", "a note beyond the tree", "checkpoints/311: beyond the published checkpoint (size 310) and the integrated tree")]
    public void AKeptCheckpoint_ThatDoesNotVerifyOrIsBeyondTheTree_Fails_Named(string path, string what, string expected)
    {
        using var dir = new TempDir();
        string log = LogWithHistory(dir);
        byte[] note = File.ReadAllBytes(Path.Combine(log, "checkpoints/310"));
        note[20] ^= 1;
        File.WriteAllBytes(Path.Combine(log, path), what == "the tampered note" ? note : TestLogKey.Signer().Sign(new RekorPosix.Log.TreeHead(311, new byte[32])));

        var (code, _, error) = Fsck(log);

        Assert.Equal(1, code);
        Assert.Contains("fsck: FAILED: " + expected, error);
    }
}
