using RekorPosix.Http.ReadPath;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http.ReadPath;

public class CheckpointFileTests
{
    private static string Note(long size) =>
        TestLogKey.SignNote()(new Checkpoint(TestData.TesseraOrigin, size, new byte[32]).Format());

    [Fact]
    public void TheFile_IsReadAndFollowed()
    {
        using var dir = new TempDir();
        var file = new CheckpointFile(dir["checkpoint"], TimeSpan.Zero);
        Assert.Null(file.Current());
        File.WriteAllText(dir["checkpoint"], Note(5));
        Assert.Equal(5, file.Current()!.Size);
        File.WriteAllText(dir["checkpoint.new"], Note(700));
        File.Move(dir["checkpoint.new"], dir["checkpoint"], overwrite: true);
        var current = file.Current()!;
        Assert.Equal(700, current.Size);
        Assert.Equal(File.ReadAllBytes(dir["checkpoint"]), current.Note);
    }

    [Fact]
    public void ADamagedFile_LeavesTheLastGoodOne()
    {
        using var dir = new TempDir();
        var file = new CheckpointFile(dir["checkpoint"], TimeSpan.Zero);
        File.WriteAllText(dir["checkpoint"], Note(5));
        Assert.Equal(5, file.Current()!.Size);
        File.WriteAllText(dir["checkpoint"], "not a note at all");
        Assert.Equal(5, file.Current()!.Size);
    }

    [Fact]
    public void TheFile_IsLookedAtOncePerInterval()
    {
        using var dir = new TempDir();
        var file = new CheckpointFile(dir["checkpoint"], TimeSpan.FromHours(1));
        File.WriteAllText(dir["checkpoint"], Note(5));
        Assert.Equal(5, file.Current()!.Size);
        File.WriteAllText(dir["checkpoint"], Note(6));
        Assert.Equal(5, file.Current()!.Size);
    }
}
