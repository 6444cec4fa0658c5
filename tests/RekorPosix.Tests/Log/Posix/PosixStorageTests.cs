using System.Diagnostics;
using System.Text;
using RekorPosix.Log.Files;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log.Posix;

public class PosixStorageTests
{
    private static List<ReadOnlyMemory<byte>> Entries(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"{prefix}-{i}")).ToList();

    [Fact]
    public void Open_FreshDirectory_StartsAnEmptyTree()
    {
        using var dir = new TempDir();
        var storage = new PosixStorage(dir["log"]);
        var state = storage.Open();
        Assert.Equal(0, state.Size);
        Assert.Equal(Rfc6962.EmptyRoot, state.Root);
        Assert.Equal("1", File.ReadAllText(dir["log/.state/version"]));
        Assert.False(File.Exists(dir["log/checkpoint"]));
    }

    [Fact]
    public void Integrate_AppendsContiguously_AndWritesTesseraLayout()
    {
        using var dir = new TempDir();
        var storage = new PosixStorage(dir.Path);
        storage.Open();
        Assert.Equal(0, storage.Integrate(Entries("a", 3)));
        Assert.Equal(3, storage.Integrate(Entries("b", 300)));
        Assert.Equal(303, storage.ReadTreeState().Size);
        Assert.True(File.Exists(dir["tile/entries/000.p/3"]));
        Assert.True(File.Exists(dir["tile/entries/000"]));
        Assert.True(File.Exists(dir["tile/entries/001.p/47"]));
        Assert.True(File.Exists(dir["tile/0/000"]));
        Assert.True(File.Exists(dir["tile/0/001.p/47"]));
        Assert.True(File.Exists(dir["tile/1/000.p/1"]));
        Assert.Equal(8192, new FileInfo(dir["tile/0/000"]).Length);

        var reopened = new PosixStorage(dir.Path).Open();
        Assert.Equal(303, reopened.Size);
        var bundle = EntryBundle.Parse(new PosixStorage(dir.Path).ReadEntryBundle(new TileAddress(0, 1, 47, IsEntries: true)));
        Assert.Equal("b-299", Encoding.UTF8.GetString(bundle[46].Span));
    }

    [Fact]
    public void Open_RefusesLogDataWithoutTreeState()
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir.Path);
        File.Delete(dir[".state/treeState"]);
        var error = Assert.Throws<LogStateException>(() => new PosixStorage(dir.Path).Open());
        Assert.Contains("treeState", error.Message);
        Assert.False(File.Exists(dir[".state/treeState"]));
    }

    [Fact]
    public void Open_RefusesARootThatTheTilesDoNotGive_NamingTheTile()
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir.Path);
        File.WriteAllBytes(dir[".state/treeState"], new TreeState(15, new byte[32]).Encode());
        var error = Assert.Throws<LogStateException>(() => new PosixStorage(dir.Path).Open());
        Assert.Contains("tile/0/000.p/15", error.Message);
    }

    [Fact]
    public void Open_RefusesADamagedRightEdgeBundle()
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir.Path);
        byte[] bundle = File.ReadAllBytes(dir["tile/entries/000.p/15"]);
        bundle[^1] ^= 1;
        File.WriteAllBytes(dir["tile/entries/000.p/15"], bundle);
        var error = Assert.Throws<LogStateException>(() => new PosixStorage(dir.Path).Open());
        Assert.Contains("tile/entries/000.p/15", error.Message);
    }

    [Fact]
    public void Open_RefusesAnotherStorageVersion()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir[".state"]);
        File.WriteAllText(dir[".state/version"], "2");
        var error = Assert.Throws<LogStateException>(() => new PosixStorage(dir.Path).Open());
        Assert.Contains("version", error.Message);
    }

    [Fact]
    public void Open_RefusesACheckpointAheadOfTreeState()
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir.Path);
        File.Copy(dir["checkpoint.15"], dir["checkpoint"], overwrite: true);
        File.WriteAllBytes(dir[".state/treeState"], File.ReadAllBytes(TestData.PathOf("tessera-log/.state/treeState")));
        // Roll treeState back to size 14 with the matching root: the checkpoint (15) is now ahead.
        var root14 = Checkpoint.Parse(SignedNoteText(dir["checkpoint.14"])).RootHash;
        File.WriteAllBytes(dir[".state/treeState"], new TreeState(14, root14).Encode());
        var error = Assert.Throws<LogStateException>(() => new PosixStorage(dir.Path).Open());
        Assert.Contains("ahead", error.Message);
    }

    [Fact]
    public void OrphansOfACrashedBatch_AreOverwritten_AndNeverTrusted()
    {
        using var dir = new TempDir();
        var storage = new PosixStorage(dir.Path);
        storage.Open();
        storage.Integrate(Entries("committed", 10));
        byte[] committedState = File.ReadAllBytes(dir[".state/treeState"]);
        // A batch that wrote its files but "crashed" before its treeState rename.
        storage.Integrate(Entries("orphan", 300));
        File.WriteAllBytes(dir[".state/treeState"], committedState);
        File.WriteAllText(dir["tile/0/.tmp.000.12345"], "temp file of the crash");

        var reopened = new PosixStorage(dir.Path);
        Assert.Equal(10, reopened.Open().Size);
        Assert.False(File.Exists(dir["tile/0/.tmp.000.12345"]));
        Assert.Equal(10, reopened.Integrate(Entries("after", 300)));
        var full = EntryBundle.Parse(File.ReadAllBytes(dir["tile/entries/000"]));
        Assert.Equal("committed-9", Encoding.UTF8.GetString(full[9].Span));
        Assert.Equal("after-0", Encoding.UTF8.GetString(full[10].Span));
        var result = PosixStorageCalls.Audit(dir.Path, TestLogKey.Verifier());
        Assert.False(result.Ok); // no checkpoint yet
        storage.PublishCheckpoint(TestLogKey.Signer(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow);
        Assert.True(PosixStorageCalls.Audit(dir.Path, TestLogKey.Verifier()).Ok);
    }

    [Fact]
    public void OrphanPartialsOfACrashedBatch_AreDeletedAtOpen_AndCommittedOnesKept()
    {
        using var dir = new TempDir();
        var storage = new PosixStorage(dir.Path);
        storage.Open();
        storage.Integrate(Entries("committed", 10));
        byte[] committedState = File.ReadAllBytes(dir[".state/treeState"]);
        storage.Integrate(Entries("orphan", 250)); // writes entries 000 (full), 001.p/4, tile/0/001.p/4, ...
        storage.Integrate(Entries("orphan2", 3));  // and 001.p/7
        File.WriteAllBytes(dir[".state/treeState"], committedState);
        new PosixStorage(dir.Path).Open();
        Assert.True(File.Exists(dir["tile/entries/000.p/10"]));
        Assert.True(File.Exists(dir["tile/0/000.p/10"]));
        Assert.False(Directory.EnumerateFiles(dir["tile/entries/001.p"]).Any());
        Assert.False(Directory.EnumerateFiles(dir["tile/0/001.p"]).Any());
        Assert.False(File.Exists(dir["tile/1/000.p/1"]));
    }

    [Fact]
    public void TwoStoragesOnOneDirectory_TakeTurns_WithoutLosingEntries()
    {
        using var dir = new TempDir();
        var a = new PosixStorage(dir.Path);
        var b = new PosixStorage(dir.Path);
        a.Open();
        b.Open();
        var tasks = new[] { a, b }.Select((s, n) => Task.Run(() =>
        {
            var indexes = new List<long>();
            for (int i = 0; i < 20; i++)
                indexes.Add(s.Integrate(Entries($"w{n}-{i}", 13)));
            return indexes;
        })).ToArray();
        var starts = tasks.SelectMany(t => t.Result).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * 13L), starts);
        a.PublishCheckpoint(TestLogKey.Signer(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow);
        Assert.True(PosixStorageCalls.Audit(dir.Path, TestLogKey.Verifier()).Ok);
    }

    [Fact]
    public void PublishCheckpoint_KeepsThePace_AndRepublishesAnUnchangedTreeLate()
    {
        using var dir = new TempDir();
        var storage = new PosixStorage(dir.Path);
        storage.Open();
        var sign = TestLogKey.Signer();
        var interval = TimeSpan.FromSeconds(10);
        var republish = TimeSpan.FromMinutes(10);
        var now = DateTimeOffset.UtcNow;
        Assert.True(storage.PublishCheckpoint(sign, interval, republish, now).Wrote);
        storage.Integrate(Entries("x", 5));
        var tooSoon = storage.PublishCheckpoint(sign, interval, republish, now + TimeSpan.FromSeconds(1));
        Assert.False(tooSoon.Wrote);
        Assert.Equal(0, tooSoon.Current!.Size);
        var due = storage.PublishCheckpoint(sign, interval, republish, now + TimeSpan.FromSeconds(11));
        Assert.True(due.Wrote);
        Assert.Equal(5, due.Current!.Size);
        Assert.False(storage.PublishCheckpoint(sign, interval, republish, now + TimeSpan.FromMinutes(5)).Wrote);
        Assert.True(storage.PublishCheckpoint(sign, interval, republish, now + TimeSpan.FromMinutes(11)).Wrote);
    }

    [Fact]
    public async Task PublishCheckpoint_WaitsForABatchInProgress_AndSignsWhatItCommitted()
    {
        // A batch holds the treeState lock from before its first write until treeState and the
        // fsync of .state are done: a publisher must not read treeState in between.
        using var dir = new TempDir();
        var storage = new PosixStorage(dir.Path);
        storage.Open();
        storage.Integrate(Entries("a", 3));
        Task<Publication> publishing;
        using (FileLock.Acquire(storage.Paths.TreeStateLock))
        {
            publishing = Task.Run(() => storage.PublishCheckpoint(TestLogKey.Signer(),
                TimeSpan.Zero, TimeSpan.Zero, DateTimeOffset.UtcNow, force: true));
            await FlockWaiters.WaitUntilBlockedAsync(storage.Paths.TreeStateLock, publishing, "the publisher");
            Assert.False(File.Exists(Path.Combine(dir.Path, "checkpoint")));
        }
        var outcome = await publishing.WaitAsync(HangGuard.Timeout);
        Assert.True(outcome.Wrote);
        Assert.Equal(3, outcome.Current!.Size);
    }

    [Fact]
    public void CollectGarbage_RemovesOnlyPartialsThePublishedCheckpointNoLongerImplies()
    {
        using var dir = new TempDir();
        var storage = new PosixStorage(dir.Path);
        storage.Open();
        foreach (int count in new[] { 100, 200, 300 })
            storage.Integrate(Entries($"n{count}", count));
        Assert.True(Directory.Exists(dir["tile/entries/000.p"]));
        Assert.True(Directory.Exists(dir["tile/0/001.p"]));
        Assert.Equal(1, storage.CollectGarbage(publishedSize: 300));
        Assert.False(Directory.Exists(dir["tile/entries/000.p"]));
        Assert.False(Directory.Exists(dir["tile/0/000.p"]));
        Assert.True(Directory.Exists(dir["tile/0/001.p"]), "size 300 still implies tile/0/001.p/44");
        Assert.Equal(1, storage.CollectGarbage(publishedSize: 600));
        Assert.False(Directory.Exists(dir["tile/0/001.p"]));
        Assert.True(File.Exists(dir["tile/0/002.p/88"]));
        Assert.Contains("512", File.ReadAllText(dir[".state/gcState"]));
    }

    private static string SignedNoteText(string path) =>
        RekorPosix.Signing.SignedNote.Parse(File.ReadAllText(path)).Text;

    /// <summary>
    /// Regression (found by tests/reliability/faults.py): when the fsync of <c>.state</c> after a
    /// treeState rename failed, the batch failed, but the publisher signed the new treeState all the
    /// same, though a crash could still take it back. strace, attached once <c>add</c> has started,
    /// fails the first <c>.state</c> fsync of every thread while add waits on stdin: a checkpoint
    /// written after that failure must follow a <c>.state</c> fsync that succeeded.
    /// </summary>
    [Fact]
    public async Task PublishCheckpoint_SignsOnlyAfterAnFsyncOfStateSucceeded()
    {
        using var dir = new TempDir();
        string log = dir["log"];
        string trace = dir["trace"];
        string[] add = ["add", "--storage-dir", log, "--signer-filepath", TestLogKey.PemPath, "--hostname", TestData.TesseraOrigin,
            "--stdin-lines", "--checkpoint-interval", "100ms"];
        using (var setup = Process.Start(ServerBinary.StartInfo(add))!)
        {
            setup.StandardInput.WriteLine("first");
            setup.StandardInput.Close();
            string err = setup.StandardError.ReadToEnd();
            Assert.True(setup.WaitForExit(120_000));
            Assert.True(setup.ExitCode == 0, err);
        }

        // Only calls on .state and on the log root are traced (strace 6.1's -P ignores rename(2)):
        // the publisher opens the root just before it writes a checkpoint there.
        var (child, tracer) = Strace.StartThenAttach("log-sequencer", ["-qq", "-y", "-o", trace, "-P", Path.Combine(log, ".state"), "-P", log,
            "-e", "trace=fsync,openat", "-e", "inject=fsync:error=EIO:when=1"], add);
        using (child)
        using (tracer)
        {
            var stderr = child.StandardError.ReadToEndAsync();
            child.StandardInput.WriteLine("second");
            child.StandardInput.Flush();
            var storage = new PosixStorage(log);
            // The refused entry is never waited for by add, so its checkpoint is watched for here.
            await Eventually.True(() => PublishedCheckpoint.ParseBody(storage.ReadCheckpoint()!).Size >= 2, "a checkpoint covered the refused entry");
            child.StandardInput.Close();
            Assert.True(child.WaitForExit(120_000));
            Assert.True(tracer.WaitForExit(120_000));
            Assert.Equal(2, storage.ReadTreeState().Size);
            // The integrator's .state fsync failed, so its entry was refused, but it is in the tree.
            Assert.Equal(1, child.ExitCode);
            Assert.Contains("fsync directory", await stderr);
            Assert.Equal(2, PublishedCheckpoint.ParseBody(storage.ReadCheckpoint()!).Size);
        }

        var lines = File.ReadAllLines(trace);
        int failed = Array.FindIndex(lines, l => l.Contains("(INJECTED)"));
        int publishing = Array.FindIndex(lines, Math.Max(failed, 0), l => l.Contains("openat(") && l.Contains($"\"{log}\", O_RDONLY"));
        Assert.True(failed >= 0 && publishing > failed, string.Join('\n', lines));
        Assert.Contains(lines[failed..publishing], l => l.Contains("/.state>) ") && l.EndsWith("= 0"));
    }

    /// <summary>
    /// Regression (two processes on one directory): a process starting up swept the temp file of
    /// a checkpoint (or gcState) that another process was writing, and that one's rename failed.
    /// Open now sweeps under the publish and GC locks, which that writer holds.
    /// </summary>
    [Theory]
    [InlineData("publish.lock", ".tmp.checkpoint.42")]
    [InlineData("gcState.lock", ".state/.tmp.gcState.42")]
    public async Task Open_DoesNotSweepTheTempFileOfAWriterInAnotherProcess(string lockName, string tempName)
    {
        using var dir = new TempDir();
        new PosixStorage(dir.Path).Open();
        string temp = dir[tempName];
        Task opening;
        string lockFile = dir[Path.Combine(".state", lockName)];
        using (FileLock.Acquire(lockFile))
        {
            File.WriteAllText(temp, "being written");
            opening = Task.Run(() => new PosixStorage(dir.Path).Open());
            await FlockWaiters.WaitUntilBlockedAsync(lockFile, opening, "Open");
            Assert.True(File.Exists(temp));
        }
        await opening.WaitAsync(HangGuard.Timeout);
        // Once nobody holds the lock it is a crash leftover, and goes.
        Assert.False(File.Exists(temp));
    }

    /// <summary>
    /// Regression (found by tests/reliability/faults.py, SIGKILL at a write): a process killed
    /// between the mkdir of a batch's directory and the fsync of its parent left a directory whose
    /// entry could vanish in a power cut, and the next process, finding it there, never fsynced the
    /// parent, though it then committed tiles inside it. Open now fsyncs the entries of every
    /// directory a batch may have made.
    /// </summary>
    [Fact]
    public void Open_MakesTheEntriesOfDirectoriesLeftByAKilledBatchDurable()
    {
        using var dir = new TempDir();
        string log = dir["log"];
        string[] add = ["add", "--storage-dir", log, "--signer-filepath", TestLogKey.PemPath, "--hostname", TestData.TesseraOrigin, "--stdin-lines"];
        var (code, _, err) = ServerBinary.Run(add);
        Assert.True(code == 0, err);
        // What a batch crossing into the second tile makes first, here without any fsync.
        Directory.CreateDirectory(Path.Combine(log, "tile", "0", "001.p"));

        string trace = dir["trace"];
        using var child = Strace.Start(["-f", "-qq", "-y", "-o", trace, "-e", "trace=fsync"], add);
        child.StandardInput.Close();
        string stderr = child.StandardError.ReadToEnd();
        Assert.True(child.WaitForExit(120_000));
        Assert.True(child.ExitCode == 0, stderr);
        var lines = File.ReadAllLines(trace);
        Assert.Contains(lines, l => l.Contains($"fsync(") && l.Contains($"<{Path.Combine(log, "tile", "0")}>)") && l.EndsWith("= 0"));
        Assert.Contains(lines, l => l.Contains($"<{Path.Combine(log, "tile")}>)") && l.EndsWith("= 0"));
    }
}
