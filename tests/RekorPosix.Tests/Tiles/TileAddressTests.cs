using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class TileAddressTests
{
    [Theory]
    [InlineData("tile/0/000", 0, 0L, 256, false)]
    [InlineData("tile/0/001", 0, 1L, 256, false)]
    [InlineData("tile/0/999", 0, 999L, 256, false)]
    [InlineData("tile/0/x001/000", 0, 1000L, 256, false)]
    [InlineData("tile/0/x455/667", 0, 455667L, 256, false)]
    [InlineData("tile/2/x001/x234/067", 2, 1234067L, 256, false)]
    [InlineData("tile/15/x123/x456/789.p/41", 15, 123456789L, 41, false)]
    [InlineData("tile/63/000.p/1", 63, 0L, 1, false)]
    [InlineData("tile/1/x001/x000/000", 1, 1000000L, 256, false)]
    [InlineData("tile/0/257.p/208", 0, 257L, 208, false)]
    [InlineData("tile/entries/000", 0, 0L, 256, true)]
    [InlineData("tile/entries/000.p/255", 0, 0L, 255, true)]
    [InlineData("tile/entries/x123/x456/789", 0, 123456789L, 256, true)]
    [InlineData("tile/entries/001.p/1", 0, 1L, 1, true)]
    [InlineData("tile/0/x009/x223/x372/x036/x854/x775/807", 0, long.MaxValue, 256, false)]
    public void AcceptsCanonicalPaths(string path, int level, long index, int width, bool isEntries)
    {
        Assert.True(TileAddress.TryParse(path, out var address));
        Assert.Equal(new TileAddress(level, index, width, isEntries), address);
        Assert.Equal(path, address.ToPath());
        Assert.Equal(width == 256, address.IsFull);
    }

    [Theory]
    // Index spelling
    [InlineData("tile/0/1000")]
    [InlineData("tile/0/x000/000")]
    [InlineData("tile/0/x000/001")]
    [InlineData("tile/0/00")]
    [InlineData("tile/0/0")]
    [InlineData("tile/0/0000")]
    [InlineData("tile/0/x1/000")]
    [InlineData("tile/0/x01/000")]
    [InlineData("tile/0/x0001/000")]
    [InlineData("tile/0/x001")]
    [InlineData("tile/0/x001/")]
    [InlineData("tile/0/001/002")]
    [InlineData("tile/0/x001/002/003")]
    [InlineData("tile/0/X001/000")]
    [InlineData("tile/0/xx001/000")]
    [InlineData("tile/0/x001//000")]
    [InlineData("tile/0/x001x002")]
    [InlineData("tile/0/+01")]
    [InlineData("tile/0/-01")]
    [InlineData("tile/0/0x1")]
    [InlineData("tile/0/1e2")]
    [InlineData("tile/0/٠٠٠")]
    [InlineData("tile/0/００1")]
    [InlineData("tile/0/ 000")]
    [InlineData("tile/0/000 ")]
    [InlineData("tile/0/00 0")]
    [InlineData("tile/0/%30%30%30")]
    [InlineData("tile/0/x009/x223/x372/x036/x854/x775/808")]
    [InlineData("tile/0/x010/x000/x000/x000/x000/x000/000")]
    [InlineData("tile/0/x001/x000/x000/x000/x000/x000/x000/000")]
    // Width
    [InlineData("tile/0/000.p/0")]
    [InlineData("tile/0/000.p/256")]
    [InlineData("tile/0/000.p/01")]
    [InlineData("tile/0/000.p/001")]
    [InlineData("tile/0/000.p/")]
    [InlineData("tile/0/000.p")]
    [InlineData("tile/0/000.p/1/")]
    [InlineData("tile/0/000.p/1/2")]
    [InlineData("tile/0/000.p/1x")]
    [InlineData("tile/0/000.p/1.p/1")]
    [InlineData("tile/0/000.p/+1")]
    [InlineData("tile/0/000.p/-1")]
    [InlineData("tile/0/000.p/ 1")]
    [InlineData("tile/0/000.p/1 ")]
    [InlineData("tile/0/000.p/1000")]
    [InlineData("tile/0/000.P/1")]
    [InlineData("tile/0/000p/1")]
    [InlineData("tile/0/000.p1")]
    [InlineData("tile/0/000./1")]
    [InlineData("tile/0/000.q/1")]
    [InlineData("tile/0/000.p/１")]
    [InlineData("tile/0/000.p/%31")]
    // Level
    [InlineData("tile/00/000")]
    [InlineData("tile/01/000")]
    [InlineData("tile/64/000")]
    [InlineData("tile/100/000")]
    [InlineData("tile/4294967296/000")]
    [InlineData("tile/+1/000")]
    [InlineData("tile/-1/000")]
    [InlineData("tile/ 1/000")]
    [InlineData("tile/1 /000")]
    [InlineData("tile/a/000")]
    [InlineData("tile/١/000")]
    [InlineData("tile//000")]
    [InlineData("tile/0")]
    [InlineData("tile/0/")]
    [InlineData("tile/entries")]
    [InlineData("tile/entries/")]
    [InlineData("tile/Entries/000")]
    [InlineData("tile/entries0/000")]
    [InlineData("tile/entries/0/000")]
    [InlineData("tile/entries/entries/000")]
    // Framing
    [InlineData("")]
    [InlineData("tile")]
    [InlineData("tile/")]
    [InlineData("/tile/0/000")]
    [InlineData("./tile/0/000")]
    [InlineData("TILE/0/000")]
    [InlineData("tiles/0/000")]
    [InlineData(" tile/0/000")]
    [InlineData("tile/0/000/")]
    [InlineData("tile/0/000//")]
    [InlineData("tile/0/000\n")]
    [InlineData("tile/0/000\0")]
    [InlineData("tile/0/000?x=1")]
    [InlineData("tile/0/000#x")]
    [InlineData("tile/0/../0/000")]
    [InlineData("tile/0/./000")]
    [InlineData("tile/../tile/0/000")]
    [InlineData("tile/0/000/..")]
    [InlineData("tile/0/000.p/1/..")]
    [InlineData("tile\\0\\000")]
    [InlineData("tile/0\\000")]
    [InlineData("tile%2F0%2F000")]
    [InlineData("tile/0/%2e%2e/000")]
    [InlineData("checkpoint")]
    public void RejectsEverythingElse(string path)
    {
        Assert.False(TileAddress.TryParse(path, out var address));
        Assert.Equal(default, address);
    }

    [Theory]
    [InlineData(0L, "000")]
    [InlineData(7L, "007")]
    [InlineData(1000L, "x001/000")]
    [InlineData(1234067L, "x001/x234/067")]
    [InlineData(455667L, "x455/667")]
    [InlineData(123456789L, "x123/x456/789")]
    [InlineData(long.MaxValue, "x009/x223/x372/x036/x854/x775/807")]
    public void EncodesIndexInGroups(long index, string encoded)
    {
        Assert.Equal($"tile/3/{encoded}", new TileAddress(3, index, 256).ToPath());
        Assert.Equal($"tile/entries/{encoded}.p/9", new TileAddress(0, index, 9, IsEntries: true).ToPath());
    }

    [Fact]
    public void RandomAddressesRoundTrip()
    {
        var random = new Random(6962);
        for (int i = 0; i < 20_000; i++)
        {
            // Spread indices over every digit count, not just huge ones.
            long index = random.NextInt64(0, long.MaxValue) >> random.Next(0, 63);
            bool entries = random.Next(4) == 0;
            var address = new TileAddress(entries ? 0 : random.Next(0, 64), index, random.Next(1, 257), entries);
            string path = address.ToPath();
            Assert.True(TileAddress.TryParse(path, out var parsed), path);
            Assert.Equal(address, parsed);
        }
    }

    [Fact]
    public void ConstructorRefusesImpossibleAddresses()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileAddress(-1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileAddress(64, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileAddress(0, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileAddress(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileAddress(0, 0, 257));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileAddress(1, 0, 1, IsEntries: true));
        var tile = new TileAddress(1, 0, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => tile with { Width = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => tile with { IsEntries = true });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileAddress(0, 0, 1, true) with { Level = 1 });
    }

    [Fact]
    public void DefaultAddressHasNoPath() =>
        Assert.Throws<InvalidOperationException>(() => default(TileAddress).ToPath());

    [Fact]
    public void DeconstructsAndComparesByValue()
    {
        var (level, index, width, isEntries) = new TileAddress(2, 77, 5);
        Assert.Equal((2, 77L, 5, false), (level, index, width, isEntries));
        Assert.Equal(new TileAddress(2, 77, 5), new TileAddress(2, 77, 5));
        Assert.NotEqual(new TileAddress(0, 77, 5), new TileAddress(0, 77, 5, IsEntries: true));
        Assert.Equal("tile/2/077.p/5", new TileAddress(2, 77, 5).ToString());
    }
}
