using System.Diagnostics;
using RekorPosix.Interop;
using RekorPosix.Log.Files;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Files;

public class AtomicFilesTests
{
    [Fact]
    public void Overwrite_CreatesParentsAndReplacesContent_LeavingNoTempFile()
    {
        using var dir = new TempDir();
        string target = dir["a/b/c/file"];
        AtomicFiles.Overwrite(target, "one"u8);
        Assert.Equal("one", File.ReadAllText(target));
        AtomicFiles.Overwrite(target, "two, longer"u8);
        Assert.Equal("two, longer", File.ReadAllText(target));
        Assert.Equal(["file"], Directory.EnumerateFileSystemEntries(dir["a/b/c"]).Select(Path.GetFileName));
    }

    [Fact]
    public void Overwrite_WritesMode0644()
    {
        using var dir = new TempDir();
        AtomicFiles.Overwrite(dir["f"], [1, 2, 3]);
        var mode = File.GetUnixFileMode(dir["f"]) & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, mode);
    }

    [Fact]
    public void CreateExclusive_RefusesAnExistingFile_AndKeepsIt()
    {
        using var dir = new TempDir();
        AtomicFiles.CreateExclusive(dir["v"], "1"u8);
        var error = Assert.Throws<IOException>(() => AtomicFiles.CreateExclusive(dir["v"], "2"u8));
        Assert.Equal(Errno.EEXIST, error.HResult);
        Assert.Equal("1", File.ReadAllText(dir["v"]));
        Assert.Single(Directory.EnumerateFiles(dir.Path));
    }

    [Fact]
    public void SweepTemps_RemovesOnlyTempFiles()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir[".tmp.5.123"], "x");
        File.WriteAllText(dir[".tmp.checkpoint.9"], "x");
        File.WriteAllText(dir["5"], "keep");
        File.WriteAllText(dir[".hidden"], "keep");
        Assert.Equal(2, AtomicFiles.SweepTemps(dir.Path));
        Assert.Equal(new[] { ".hidden", "5" }, Directory.EnumerateFiles(dir.Path).Select(Path.GetFileName).Order());
        Assert.Equal(0, AtomicFiles.SweepTemps(dir["missing"]));
    }

    [Fact]
    public void MkdirAll_IsIdempotent()
    {
        using var dir = new TempDir();
        AtomicFiles.MkdirAll(dir["x/y/z"]);
        AtomicFiles.MkdirAll(dir["x/y/z"]);
        Assert.True(Directory.Exists(dir["x/y/z"]));
    }

    [Fact]
    public void OverwriteAll_WritesEveryFile_InSeveralDirectories_LeavingNoTempFile()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["a"], "old");
        var files = new List<(string, ReadOnlyMemory<byte>)>
        {
            (dir["a"], "new a"u8.ToArray()),
            (dir["x/b"], "b"u8.ToArray()),
            (dir["x/y/c"], "c"u8.ToArray()),
            (dir["x/y/d"], "d"u8.ToArray()),
        };
        AtomicFiles.OverwriteAll(files);
        foreach (var (path, data) in files)
            Assert.Equal(data.ToArray(), File.ReadAllBytes(path));
        Assert.Empty(Directory.EnumerateFiles(dir.Path, ".tmp.*", SearchOption.AllDirectories));
    }

    /// <summary>
    /// Regression (found by tests/reliability/faults.py): FileStream.Flush(flushToDisk: true) returns
    /// normally when fsync fails, so a temp file whose data never reached the disk was renamed into
    /// place and its entry acknowledged. Here strace, attached once <c>add</c> has started, fails the
    /// first fsync of every thread; the integrator's first is a temp file's, so the entry must be refused.
    /// </summary>
    [Fact]
    public void ATempFileWhoseFsyncFails_IsNeverRenamedIntoPlace_AndTheEntryIsRefused()
    {
        using var dir = new TempDir();
        string log = dir["log"];
        string[] add = ["add", "--storage-dir", log, "--signer-filepath", TestLogKey.PemPath, "--hostname", TestData.TesseraOrigin, "--stdin-lines"];
        // One entry first, so that the batch under test creates no directory (mkdir fsyncs the parent).
        var first = ServerBinary.StartInfo(add);
        using (var setup = Process.Start(first)!)
        {
            setup.StandardInput.WriteLine("first");
            setup.StandardInput.Close();
            string err = setup.StandardError.ReadToEnd();
            Assert.True(setup.WaitForExit(120_000));
            Assert.True(setup.ExitCode == 0, err);
        }

        var (child, tracer) = Strace.StartThenAttach("log-sequencer",
            ["-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:error=EIO:when=1"], add);
        using (child)
        using (tracer)
        {
            child.StandardInput.WriteLine("the entry");
            child.StandardInput.Close();
            string stdout = child.StandardOutput.ReadToEnd();
            string stderr = child.StandardError.ReadToEnd();
            Assert.True(child.WaitForExit(120_000));
            Assert.True(tracer.WaitForExit(120_000));
            Assert.Equal(1, child.ExitCode);
            // No index printed; the console logger's warning may share stdout.
            Assert.DoesNotContain("\tthe entry", stdout);
            Assert.Contains("fsync", stderr);
            Assert.Contains(AtomicFiles.TempPrefix, stderr);
        }

        // Without the fault the same entry goes in at the index the failed batch did not take.
        var again = ServerBinary.StartInfo(add);
        using var retry = Process.Start(again)!;
        retry.StandardInput.WriteLine("the entry");
        retry.StandardInput.Close();
        Assert.Contains("1\tthe entry\n", retry.StandardOutput.ReadToEnd());
        Assert.True(retry.WaitForExit(120_000));
        Assert.Equal(0, retry.ExitCode);
        var audit = PosixStorageCalls.Audit(log, TestLogKey.Verifier());
        Assert.True(audit.Ok, audit.Message);
    }

    /// <summary>
    /// Regression: when the fsync of the parent of a new directory failed, the batch failed, but
    /// the directory was there, and MkdirAll never fsynced its parent again before tiles were
    /// committed inside it. With a full first tile, the next entry makes <c>tile/entries/001.p</c>;
    /// strace fails the first fsync of <c>tile/entries</c> in each thread of an add: the next batch
    /// must fsync it again, and successfully.
    /// </summary>
    [Fact]
    public async Task MkdirAll_FsyncsTheParentAgain_AfterThatFsyncFailed()
    {
        using var dir = new TempDir();
        string log = dir["log"];
        string trace = dir["trace"];
        string[] add = ["add", "--storage-dir", log, "--signer-filepath", TestLogKey.PemPath, "--hostname", TestData.TesseraOrigin, "--stdin-lines"];
        using (var setup = Process.Start(ServerBinary.StartInfo(add))!)
        {
            for (int i = 0; i < 256; i++)
                setup.StandardInput.WriteLine($"entry {i}");
            setup.StandardInput.Close();
            string err = setup.StandardError.ReadToEnd();
            Assert.True(setup.WaitForExit(120_000));
            Assert.True(setup.ExitCode == 0, err);
        }

        var (child, tracer) = Strace.StartThenAttach("log-sequencer", ["-qq", "-y", "-o", trace, "-P", Path.Combine(log, "tile", "entries"),
            "-e", "trace=fsync", "-e", "inject=fsync:error=EIO:when=1"], add);
        using (child)
        using (tracer)
        {
            child.StandardInput.WriteLine("refused");
            child.StandardInput.Flush();
            // The second line goes only once add has logged the first batch's failure, so that
            // it is a batch of its own, the one that must fsync the parent again.
            await WaitForLine(child.StandardError, "Sequencing a batch of 1 entries failed");
            var stderr = child.StandardError.ReadToEndAsync();
            child.StandardInput.WriteLine("accepted");
            child.StandardInput.Close();
            string stdout = child.StandardOutput.ReadToEnd();
            Assert.True(child.WaitForExit(120_000));
            Assert.True(tracer.WaitForExit(120_000));
            Assert.Contains("256\taccepted\n", stdout);
            await stderr;
        }
        var lines = File.ReadAllLines(trace);
        int failed = Array.FindIndex(lines, l => l.Contains("(INJECTED)"));
        Assert.True(failed >= 0, string.Join('\n', lines));
        Assert.Contains(lines[failed..], l => l.EndsWith("= 0"));
    }

    /// <summary>Reads a child's output until a line holds <paramref name="text"/>; fails if the output
    /// ends first, or on the hang guard.</summary>
    private static async Task WaitForLine(StreamReader output, string text)
    {
        using var guard = new CancellationTokenSource(HangGuard.Timeout);
        var seen = new List<string>();
        while (await output.ReadLineAsync(guard.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
                return;
            seen.Add(line);
        }
        Assert.Fail($"no line with \"{text}\" before the output ended:\n{string.Join('\n', seen)}");
    }
}
