using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;
using Xunit;

namespace RekorPosix.Tests.Log.Posix;

public sealed class WitnessSizesFileTests
{
    [Fact]
    public async Task Load_WithoutAFile_IsEmpty()
    {
        using var dir = new TempDir();
        Assert.Empty(await new WitnessSizesFile(dir.Path).LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Save_ThenLoad_GivesTheSizesBack_FromAnotherInstance()
    {
        using var dir = new TempDir();
        var sizes = new Dictionary<string, long> { ["http://b.example/w"] = 12, ["https://a.example/"] = 0 };

        await new WitnessSizesFile(dir.Path).SaveAsync(sizes, CancellationToken.None);

        Assert.Equal(sizes, await new WitnessSizesFile(dir.Path).LoadAsync(CancellationToken.None));
        Assert.Equal("http://b.example/w 12\nhttps://a.example/ 0\n", File.ReadAllText(dir[".state/witnessSizes"]));
        Assert.Empty(Directory.GetFiles(dir[".state"], ".tmp.*"));
    }

    [Fact]
    public async Task Load_RefusesALineItCannotRead()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir[".state"]);
        File.WriteAllText(dir[".state/witnessSizes"], "http://a.example/ twelve\n");

        var e = await Assert.ThrowsAsync<FormatException>(() => new WitnessSizesFile(dir.Path).LoadAsync(CancellationToken.None));
        Assert.Contains("twelve", e.Message, StringComparison.Ordinal);
    }
}
