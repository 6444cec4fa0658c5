using RekorPosix.Log.Files;
using RekorPosix.Log.Posix;
using RekorPosix.Signing;
using RekorPosix.Tests.Signing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Posix;

/// <summary>The <c>freeze</c> command: messages and exit codes.</summary>
public class FreezeCommandTests
{
    private static (int Code, string Out, string Err) Freeze(string dir, string key, string origin = TestData.TesseraOrigin, bool allowInsecure = false)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = FreezeCommand.Run(dir, key, "", origin, allowInsecure, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string TesseraCopy(TempDir dir)
    {
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir["log"]);
        return dir["log"];
    }

    [Fact]
    public void Freeze_ThenAgain_SaysWhatItDid_AndExits0Both()
    {
        using var dir = new TempDir();
        string log = TesseraCopy(dir);
        var first = Freeze(log, TestLogKey.PemPath);
        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("froze", first.Out);
        Assert.Contains("at size 15", first.Out);
        Assert.Contains("--read-only", first.Out);
        byte[] frozen = File.ReadAllBytes(Path.Combine(log, "checkpoint"));
        var second = Freeze(log, TestLogKey.PemPath);
        Assert.Equal(0, second.Code);
        Assert.Contains("already frozen", second.Out);
        Assert.Equal(frozen, File.ReadAllBytes(Path.Combine(log, "checkpoint")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Freeze_OfALogKeepingHistory_KeepsTheFinalCheckpoint_AndOfOneNotKeepingItNothing(bool keepsHistory)
    {
        using var dir = new TempDir();
        string log = TesseraCopy(dir);
        if (keepsHistory)
            Directory.CreateDirectory(Path.Combine(log, "checkpoints"));

        var (code, _, err) = Freeze(log, TestLogKey.PemPath);

        Assert.True(code == 0, err);
        string kept = Path.Combine(log, "checkpoints", "015");
        if (keepsHistory)
            Assert.Equal(File.ReadAllBytes(Path.Combine(log, "checkpoint")), File.ReadAllBytes(kept));
        else
            Assert.False(Directory.Exists(Path.Combine(log, "checkpoints")));
    }

    [Fact]
    public void Freeze_WhileAWriterHoldsTheLock_Exits1_AndNamesTheLock()
    {
        using var dir = new TempDir();
        string log = TesseraCopy(dir);
        using (FileLock.Acquire(Path.Combine(log, ".state", "treeState.lock")))
        {
            var (code, _, err) = Freeze(log, TestLogKey.PemPath);
            Assert.Equal(1, code);
            Assert.Contains("treeState.lock", err);
            Assert.Contains("nothing was written", err);
        }
        Assert.DoesNotContain("Log frozen", File.ReadAllText(Path.Combine(log, "checkpoint")));
    }

    [Fact]
    public void Freeze_WithAnotherKey_Exits1()
    {
        using var dir = new TempDir();
        string log = TesseraCopy(dir);
        string other = dir["other.pem"];
        using (var key = LogSigningKey.GenerateEd25519())
            LogSigningKey.WriteNewKeyFile(other, key);
        var (code, _, err) = Freeze(log, other);
        Assert.Equal(1, code);
        Assert.Contains("is not signed by this signer", err);
    }

    [Fact]
    public void Freeze_WithAKeyOthersCanRead_Exits1_UnlessAllowed()
    {
        using var dir = new TempDir();
        string log = TesseraCopy(dir);
        string key = KeyFilePermissionsTests.WithMode(dir["key.pem"], "644");
        var refused = Freeze(log, key);
        Assert.Equal(1, refused.Code);
        Assert.Contains("chmod 600", refused.Err);
        var allowed = Freeze(log, key, allowInsecure: true);
        Assert.Equal(0, allowed.Code);
        Assert.Contains("warning", allowed.Err);
    }

    [Theory]
    [InlineData("no-such-dir", TestData.TesseraOrigin)]
    [InlineData("log", "not an origin")]
    public void UsageProblems_Exit2(string relative, string origin)
    {
        using var dir = new TempDir();
        TesseraCopy(dir);
        Assert.Equal(2, Freeze(dir[relative], TestLogKey.PemPath, origin).Code);
    }

    [Fact]
    public void TheExecutable_FreezesAndRefusesAsTheCommandDoes()
    {
        using var dir = new TempDir();
        string log = TesseraCopy(dir);
        var (code, stdout, stderr) = ServerBinary.Run("freeze", "--storage-dir", log, "--signer-filepath", TestLogKey.PemPath,
            "--hostname", TestData.TesseraOrigin);
        Assert.True(code == 0, stderr);
        Assert.Contains("froze", stdout);
        // A writer started on the frozen log refuses at once.
        File.WriteAllText(dir["entry"], "late");
        (code, _, stderr) = ServerBinary.Run("add", "--storage-dir", log, "--signer-filepath", TestLogKey.PemPath,
            "--hostname", TestData.TesseraOrigin, dir["entry"]);
        Assert.Equal(1, code);
        Assert.Contains("frozen", stderr);
    }
}
