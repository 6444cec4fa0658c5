using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log;

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
        Assert.Equal(LibC.EEXIST, error.HResult);
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
        var files = new List<(string, byte[])>
        {
            (dir["a"], "new a"u8.ToArray()),
            (dir["x/b"], "b"u8.ToArray()),
            (dir["x/y/c"], "c"u8.ToArray()),
            (dir["x/y/d"], "d"u8.ToArray()),
        };
        AtomicFiles.OverwriteAll(files);
        foreach (var (path, data) in files)
            Assert.Equal(data, File.ReadAllBytes(path));
        Assert.Empty(Directory.EnumerateFiles(dir.Path, ".tmp.*", SearchOption.AllDirectories));
    }
}
