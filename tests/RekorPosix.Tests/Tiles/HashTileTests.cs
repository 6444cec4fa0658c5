using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class HashTileTests
{
    private static byte[][] Hashes(int count) => NaiveMerkle.SyntheticLeaves(count);

    [Fact]
    public void EncodeConcatenates()
    {
        var hashes = Hashes(3);
        Assert.Equal(hashes.SelectMany(h => h).ToArray(), HashTile.Encode(hashes));
        Assert.Equal(8192, HashTile.Encode(Hashes(256)).Length);
    }

    [Fact]
    public void EncodeRefusesBadInput()
    {
        Assert.Throws<ArgumentException>(() => HashTile.Encode([]));
        Assert.Throws<ArgumentException>(() => HashTile.Encode(Hashes(257)));
        Assert.Throws<ArgumentException>(() => HashTile.Encode([new byte[32], new byte[31]]));
        Assert.Throws<ArgumentException>(() => HashTile.Encode([new byte[32], null!]));
    }

    [Theory]
    [InlineData(32, 1, true)]
    [InlineData(8192, 256, true)]
    [InlineData(8160, 255, true)]
    [InlineData(0, 0, false)]
    [InlineData(0, 1, false)]
    [InlineData(31, 1, false)]
    [InlineData(33, 1, false)]
    [InlineData(64, 1, false)]
    [InlineData(8192, 255, false)]
    [InlineData(8224, 257, false)]
    [InlineData(32, -1, false)]
    public void IsValidMeansExactLength(int length, int width, bool valid) =>
        Assert.Equal(valid, HashTile.IsValid(new byte[length], width));

    [Fact]
    public void TrimCutsFullTileToWidth()
    {
        var full = HashTile.Encode(Hashes(256));
        var trimmed = HashTile.Trim(full, 17);
        Assert.Equal(full[..(17 * 32)], trimmed.ToArray());
        Assert.Equal(full, HashTile.Trim(full, 256).ToArray());
        Assert.Equal(full[..(17 * 32)], HashTile.Trim(full.AsMemory(0, 17 * 32), 17).ToArray());
    }

    [Fact]
    public void TrimRefusesShortOrMalformedData()
    {
        var partial = HashTile.Encode(Hashes(16));
        Assert.Throws<FormatException>(() => HashTile.Trim(partial, 17));
        Assert.Throws<FormatException>(() => HashTile.Trim(Array.Empty<byte>(), 1));
        Assert.Throws<FormatException>(() => HashTile.Trim(new byte[8192 + 32], 1));
        Assert.Throws<FormatException>(() => HashTile.Trim(new byte[33], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => HashTile.Trim(partial, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => HashTile.Trim(partial, 257));
    }

    [Fact]
    public void HashAtSlicesOneHash()
    {
        var hashes = Hashes(5);
        var tile = HashTile.Encode(hashes);
        for (int i = 0; i < 5; i++)
            Assert.Equal(hashes[i], HashTile.HashAt(tile, i).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => HashTile.HashAt(tile, 5).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => HashTile.HashAt(tile, -1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => HashTile.HashAt(tile.AsSpan(0, 40), 1).ToArray());
    }
}
