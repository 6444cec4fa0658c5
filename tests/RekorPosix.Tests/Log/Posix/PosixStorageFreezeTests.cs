using System.Text;
using RekorPosix.Log.Files;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log.Posix;

/// <summary>The freeze itself, and what a frozen log refuses.</summary>
public class PosixStorageFreezeTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 4, 3, 2, 1, TimeSpan.Zero);

    private static PosixStorage TesseraCopy(TempDir dir)
    {
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir.Path);
        return new PosixStorage(dir.Path);
    }

    private static FreezeOutcome? Freeze(PosixStorage storage, DateTimeOffset now) => storage.TryFreeze(TestLogKey.Signer(), now);

    private static (bool Wrote, long Size, string? Line) Summary(FreezeOutcome? outcome) =>
        (outcome!.Value.Wrote, outcome.Value.Final.Size, FrozenCheckpoint.FrozenLine(outcome.Value.Final.Body()));

    private static List<ReadOnlyMemory<byte>> Entries(int count) =>
        Enumerable.Range(0, count).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"late-{i}")).ToList();

    [Fact]
    public void TryFreeze_PublishesTheSameTree_WithTheFrozenLine_SignedByTheLogKey()
    {
        using var dir = new TempDir();
        var storage = TesseraCopy(dir);
        var before = Checkpoint.Parse(SignedNote.Open(File.ReadAllText(dir["checkpoint"]), [TestLogKey.Verifier()]));

        var outcome = Freeze(storage, Now);

        Assert.Equal((true, before.Size, "Log frozen \u2014 Mon May  4 03:02:01 UTC 2026"), Summary(outcome));
        Assert.Equal(File.ReadAllBytes(dir["checkpoint"]), outcome!.Value.Final.Note);
        var after = Checkpoint.Parse(SignedNote.Open(File.ReadAllText(dir["checkpoint"]), [TestLogKey.Verifier()]));
        Assert.Equal(before with { Extensions = ["Log frozen \u2014 Mon May  4 03:02:01 UTC 2026"] }, after);
        Assert.Single(SignedNote.Parse(File.ReadAllText(dir["checkpoint"])).Signatures);
        var audit = PosixStorageCalls.Audit(dir.Path, TestLogKey.Verifier());
        Assert.True(audit.Ok, audit.Message);
    }

    [Fact]
    public void TryFreeze_Twice_LeavesTheFirstFrozenCheckpointByteForByte()
    {
        using var dir = new TempDir();
        var storage = TesseraCopy(dir);
        Freeze(storage, Now);
        byte[] first = File.ReadAllBytes(dir["checkpoint"]);
        var again = Freeze(storage, Now.AddDays(3));
        Assert.Equal((false, 15L, "Log frozen \u2014 Mon May  4 03:02:01 UTC 2026"), Summary(again));
        Assert.Equal(first, File.ReadAllBytes(dir["checkpoint"]));
    }

    [Fact]
    public void TryFreeze_CoversEverythingIntegrated_WhenTheCheckpointLagsBehind()
    {
        using var dir = new TempDir();
        var storage = TesseraCopy(dir);
        storage.Open();
        storage.Integrate(Entries(300));
        Assert.Equal(315, Freeze(storage, Now)!.Value.Final.Size);
        var audit = PosixStorageCalls.Audit(dir.Path, TestLogKey.Verifier());
        Assert.True(audit.Ok, audit.Message);
        Assert.Equal(315, audit.Checkpoint!.Size);
    }

    [Fact]
    public void TryFreeze_WhileAnotherHandleHoldsTheTreeStateLock_WritesNothing()
    {
        using var dir = new TempDir();
        var storage = TesseraCopy(dir);
        byte[] before = File.ReadAllBytes(dir["checkpoint"]);
        using (FileLock.Acquire(storage.Paths.TreeStateLock))
            Assert.Null(Freeze(storage, Now));
        Assert.Equal(before, File.ReadAllBytes(dir["checkpoint"]));
        Assert.NotNull(Freeze(storage, Now));
    }

    [Fact]
    public void TryFreeze_RefusesAKeyOrOriginThatDidNotSignTheCheckpoint()
    {
        using var dir = new TempDir();
        var storage = TesseraCopy(dir);
        byte[] before = File.ReadAllBytes(dir["checkpoint"]);
        using var other = LogSigningKey.GenerateEd25519();
        var e = Assert.Throws<LogStateException>(() => storage.TryFreeze(CheckpointSigner.For(other, TestData.TesseraOrigin), Now));
        Assert.Contains("is not signed by this signer", e.Message);
        var renamed = Assert.Throws<LogStateException>(() => storage.TryFreeze(CheckpointSigner.For(TestLogKey.Load(), "another.example"), Now));
        Assert.Contains("not 'another.example'", renamed.Message);
        Assert.Equal(before, File.ReadAllBytes(dir["checkpoint"]));
    }

    [Fact]
    public void TryFreeze_RefusesADirectoryWithoutALog_AndCreatesNothing()
    {
        using var dir = new TempDir();
        Assert.Throws<LogStateException>(() => Freeze(new PosixStorage(dir.Path), Now));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void AFrozenLog_RefusesToOpen_Integrate_OrPublish()
    {
        using var dir = new TempDir();
        var storage = TesseraCopy(dir);
        storage.Open();
        Freeze(storage, Now);
        byte[] frozen = File.ReadAllBytes(dir["checkpoint"]);

        Assert.Contains("frozen", Assert.Throws<LogFrozenException>(() => new PosixStorage(dir.Path).Open()).Message);
        Assert.Contains("frozen", Assert.Throws<LogFrozenException>(() => storage.Integrate(Entries(1))).Message);
        var refused = Assert.Throws<LogFrozenException>(() => storage.PublishCheckpoint(TestLogKey.Signer(),
            TimeSpan.Zero, TimeSpan.Zero, Now.AddDays(1), force: true));
        Assert.Equal(frozen, refused.Final.Note);
        Assert.Equal(15, storage.ReadTreeState().Size);
        Assert.Equal(frozen, File.ReadAllBytes(dir["checkpoint"]));
    }
}
