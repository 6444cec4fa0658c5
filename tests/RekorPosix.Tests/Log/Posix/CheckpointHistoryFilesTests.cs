using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log.Posix;

/// <summary>Checkpoint history in a log directory: the contract, and what only files show.</summary>
public sealed class CheckpointHistoryFilesTests : CheckpointHistoryContractTests
{
    private readonly TempDir _dir = new();

    private string Root => _dir["log"];

    protected override ILogDriver OpenKeepingHistory() => new PosixStorage(Root, keepHistory: true);

    protected override ICheckpointHistory History() => new CheckpointHistoryFiles(Root);

    protected override byte[]? Stored(string path) =>
        File.Exists(Path.Combine(Root, path)) ? File.ReadAllBytes(Path.Combine(Root, path)) : null;

    protected override void Cleanup() => _dir.Dispose();

    [Fact]
    public void TheNote_IsKeptBeforeTheCheckpointIsWritten()
    {
        var storage = new PosixStorage(Root, keepHistory: true);
        storage.Open();
        // A directory where the checkpoint goes: its rename fails, as a crash there would stop it.
        Directory.CreateDirectory(Path.Combine(Root, "checkpoint", "in-the-way"));
        Assert.ThrowsAny<IOException>(() => storage.PublishCheckpoint(TestLogKey.Signer(), TimeSpan.FromHours(1), TimeSpan.FromHours(1),
            DateTimeOffset.UtcNow, force: true));

        byte[] kept = Stored("checkpoints/000")!;
        Assert.Equal(0, PublishedCheckpoint.FromNote(kept).Size);
    }

    [Fact]
    public void WithoutHistory_NothingIsKept()
    {
        var storage = new PosixStorage(Root);
        storage.Open();
        storage.PublishCheckpoint(TestLogKey.Signer(), TimeSpan.FromHours(1), TimeSpan.FromHours(1), DateTimeOffset.UtcNow, force: true);

        Assert.NotNull(storage.ReadCheckpoint());
        Assert.False(Directory.Exists(Path.Combine(Root, "checkpoints")));
    }

    [Fact]
    public async Task ANoteLeftBeingWritten_IsSweptAtTheNextOpen()
    {
        var storage = new PosixStorage(Root, keepHistory: true);
        storage.Open();
        storage.PublishCheckpoint(TestLogKey.Signer(), TimeSpan.FromHours(1), TimeSpan.FromHours(1), DateTimeOffset.UtcNow, force: true);
        string temp = Path.Combine(Root, "checkpoints", ".tmp.000.12345");
        await File.WriteAllBytesAsync(temp, [1, 2, 3]);

        new PosixStorage(Root, keepHistory: true).Open();

        Assert.False(File.Exists(temp));
        Assert.NotNull(Stored(CheckpointHistoryPath.For(0)));
    }
}
