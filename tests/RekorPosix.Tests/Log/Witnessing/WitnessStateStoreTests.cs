using System.Security.Cryptography;
using System.Text;
using RekorPosix.Log.Files;
using RekorPosix.Log.Witnessing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Witnessing;

public class WitnessStateStoreTests
{
    private const string Origin = WitnessedTestLog.Origin;
    private static readonly string Key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Origin)));
    private readonly WitnessedTestLog _log = new();

    private CosignedCheckpoint At(int size) => CosignedCheckpoint.Parse(_log.Note(size));

    private static string StateFile(TempDir dir) => Path.Combine(dir.Path, Key, WitnessStateStore.CheckpointFile);

    private static Task<bool> Store(WitnessStateStore store, CosignedCheckpoint next) =>
        store.UpdateAsync(Origin, _ => (true, (CosignedCheckpoint?)next), CancellationToken.None);

    [Fact]
    public void KeyOf_IsTheLowercaseHexSha256OfTheOrigin()
    {
        Assert.Equal(Key, WitnessStateStore.KeyOf(Origin));
        Assert.True(WitnessStateStore.IsKey(Key));
        Assert.False(WitnessStateStore.IsKey(Key.ToUpperInvariant()));
        Assert.False(WitnessStateStore.IsKey("../" + Key[3..]));
    }

    [Fact]
    public void Read_OfALogNeverCosigned_IsNull()
    {
        using var dir = new TempDir();
        var store = new WitnessStateStore(dir.Path);
        Assert.Null(store.Read(Key));
        Assert.Null(store.Read("not a key"));
    }

    [Fact]
    public async Task Update_StoresTheNote_WhereTheMonitoringPathNamesIt()
    {
        using var dir = new TempDir();
        var store = new WitnessStateStore(dir.Path);
        await Store(store, At(5));
        Assert.Equal(_log.Note(5), File.ReadAllText(StateFile(dir)));
        Assert.Equal(5, store.Read(Key)!.Checkpoint.Size);
        Assert.True(File.Exists(Path.Combine(dir.Path, Key, WitnessStateStore.LockFile)));
    }

    [Fact]
    public async Task Update_ReplacesTheFileByRename_NeverWritingItInPlace()
    {
        using var dir = new TempDir();
        var store = new WitnessStateStore(dir.Path);
        await Store(store, At(5));
        // A handle on the old file keeps its inode: a rename leaves it whole, an in-place write would not.
        using var old = new FileStream(StateFile(dir), FileMode.Open, FileAccess.Read);
        await Store(store, At(9));
        Assert.Equal(_log.Note(5), new StreamReader(old).ReadToEnd());
        Assert.Equal(_log.Note(9), File.ReadAllText(StateFile(dir)));
        Assert.Equal([WitnessStateStore.CheckpointFile, WitnessStateStore.LockFile],
            Directory.EnumerateFiles(Path.Combine(dir.Path, Key)).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Update_ThatDecidesNothing_WritesNothing()
    {
        using var dir = new TempDir();
        var store = new WitnessStateStore(dir.Path);
        await Store(store, At(5));
        CosignedCheckpoint? seen = null;
        bool result = await store.UpdateAsync(Origin, last => { seen = last; return (false, (CosignedCheckpoint?)null); }, CancellationToken.None);
        Assert.False(result);
        Assert.Equal(5, seen!.Checkpoint.Size);
        Assert.Equal(_log.Note(5), File.ReadAllText(StateFile(dir)));
    }

    [Fact]
    public async Task ATempFileACrashLeft_IsIgnored_AndSwept()
    {
        using var dir = new TempDir();
        var store = new WitnessStateStore(dir.Path);
        await Store(store, At(5));
        string leftover = Path.Combine(dir.Path, Key, AtomicFiles.TempPrefix + "checkpoint.12345");
        File.WriteAllText(leftover, "half a check");
        var restarted = new WitnessStateStore(dir.Path);
        Assert.Equal(5, restarted.Read(Key)!.Checkpoint.Size);
        await Store(restarted, At(6));
        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public async Task ADamagedStateFile_FailsTheUpdate_AndStaysAsItIs()
    {
        using var dir = new TempDir();
        var store = new WitnessStateStore(dir.Path);
        await Store(store, At(5));
        File.WriteAllText(StateFile(dir), "garbage");
        bool decided = false;
        var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            store.UpdateAsync(Origin, _ => { decided = true; return (true, (CosignedCheckpoint?)At(6)); }, CancellationToken.None));
        Assert.Contains("damaged", e.Message);
        Assert.False(decided);
        Assert.Equal("garbage", File.ReadAllText(StateFile(dir)));
    }

    [Fact]
    public async Task AnotherLogsCheckpoint_IsNeverStoredAsThisLogs()
    {
        using var dir = new TempDir();
        var store = new WitnessStateStore(dir.Path);
        var other = At(5) with { Checkpoint = At(5).Checkpoint with { Origin = "other.example/log" } };
        await Assert.ThrowsAsync<ArgumentException>(() => Store(store, other));
        Assert.False(File.Exists(StateFile(dir)));
    }

    [Fact]
    public async Task Update_WaitsForAnotherProcesssLock()
    {
        using var dir = new TempDir();
        var store = new WitnessStateStore(dir.Path);
        await Store(store, At(5));
        string lockFile = Path.Combine(dir.Path, Key, WitnessStateStore.LockFile);
        var held = FileLock.Acquire(lockFile);
        var update = Task.Run(() => Store(store, At(6)));
        await FlockWaiters.WaitUntilBlockedAsync(lockFile, update, "the update");
        Assert.Equal(5, store.Read(Key)!.Checkpoint.Size);
        held.Dispose();
        Assert.True(await update.WaitAsync(HangGuard.Timeout));
        Assert.Equal(6, store.Read(Key)!.Checkpoint.Size);
    }

    [Fact]
    public async Task TwoStoresOnOneDirectory_NeverBothExtendTheSameOldSize()
    {
        using var dir = new TempDir();
        WitnessStateStore[] stores = [new(dir.Path), new(dir.Path)];
        for (int round = 0; round < 20; round++)
        {
            long seen = stores[0].Read(Key)?.Checkpoint.Size ?? 0;
            var next = At((int)seen + 1);
            // Eight requests that all saw size `seen`, four through each store: only flock orders them.
            var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(() => stores[i % 2].UpdateAsync(Origin, last =>
            {
                bool extends = (last?.Checkpoint.Size ?? 0) == seen;
                Thread.Sleep(1); // widen the window a lost update would need
                return (extends, extends ? next : null);
            }, CancellationToken.None))).ToArray();
            bool[] results = await Task.WhenAll(attempts).WaitAsync(HangGuard.Timeout);
            Assert.Equal(1, results.Count(r => r));
        }
        Assert.Equal(20, stores[1].Read(Key)!.Checkpoint.Size);
    }
}
