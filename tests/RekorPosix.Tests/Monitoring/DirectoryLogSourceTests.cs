using RekorPosix.Monitoring;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Monitoring;

public class DirectoryLogSourceTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AFile_IsRead_AMissingOne_IsNull_EvenInAMissingDirectory()
    {
        File.WriteAllText(_dir["checkpoint"], "c\n");
        using var source = new DirectoryLogSource(_dir.Path);
        Assert.Equal("c\n"u8.ToArray(), await source.TryReadAsync("checkpoint", 10, CancellationToken.None));
        Assert.Null(await source.TryReadAsync("tile/0/000", 8192, CancellationToken.None));
    }

    [Fact]
    public async Task AFileLargerThanItsKindMayBe_IsAVerificationFailure()
    {
        File.WriteAllBytes(_dir["checkpoint"], new byte[11]);
        using var source = new DirectoryLogSource(_dir.Path);
        var error = await Assert.ThrowsAsync<LogVerificationException>(() => source.TryReadAsync("checkpoint", 10, CancellationToken.None));
        Assert.Contains("checkpoint is 11 bytes", error.Message);
    }

    [Fact]
    public void AMissingDirectory_IsAnInputError()
    {
        var error = Assert.Throws<MonitorInputException>(() => new DirectoryLogSource(_dir["nowhere"]));
        Assert.Contains("no such directory", error.Message);
    }
}
