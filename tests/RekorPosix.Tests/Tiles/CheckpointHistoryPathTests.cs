using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class CheckpointHistoryPathTests
{
    [Theory]
    [InlineData(0, "checkpoints/000")]
    [InlineData(5, "checkpoints/005")]
    [InlineData(1000, "checkpoints/x001/000")]
    [InlineData(1234567, "checkpoints/x001/x234/567")]
    [InlineData(long.MaxValue, "checkpoints/x009/x223/x372/x036/x854/x775/807")]
    public void ASize_HasTheTileIndexSpelling_AndParsesBack(long size, string path)
    {
        Assert.Equal(path, CheckpointHistoryPath.For(size));
        Assert.True(CheckpointHistoryPath.TryParse(path, out long parsed));
        Assert.Equal(size, parsed);
    }

    [Theory]
    [InlineData("checkpoints/5")]
    [InlineData("checkpoints/x000/005")]
    [InlineData("checkpoints/001/234")]
    [InlineData("checkpoints/005/")]
    [InlineData("checkpoints/005.p/1")]
    [InlineData("checkpoint/005")]
    [InlineData("tile/0/005")]
    public void AnyOtherSpelling_IsRefused(string path) => Assert.False(CheckpointHistoryPath.TryParse(path, out _));
}
