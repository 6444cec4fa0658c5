using System.Security.Cryptography;
using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class Rfc6962Tests
{
    private static byte[] Word(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void EmptyRootIsSha256OfNothing()
    {
        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", Convert.ToBase64String(Rfc6962.EmptyRoot));
        Assert.Equal(32, Rfc6962.HashSize);
    }

    [Fact]
    public void EmptyRootCannotBeCorruptedByCallers()
    {
        var first = Rfc6962.EmptyRoot;
        first[0] ^= 0xff;
        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", Convert.ToBase64String(Rfc6962.EmptyRoot));
    }

    [Fact]
    public void LeafHashOfEmptyEntryMatchesCtVector() =>
        Assert.Equal(NaiveMerkleTests.CtRoots[0], NaiveMerkleTests.Hex(Rfc6962.LeafHash([])));

    [Fact]
    public void HashesMatchCtRoots()
    {
        var leaves = NaiveMerkleTests.CtEntries.Select(e => Rfc6962.LeafHash(e)).ToArray();
        Assert.Equal(NaiveMerkleTests.CtRoots[1], NaiveMerkleTests.Hex(Rfc6962.NodeHash(leaves[0], leaves[1])));
        var left = Rfc6962.NodeHash(leaves[0], leaves[1]);
        Assert.Equal(NaiveMerkleTests.CtRoots[2], NaiveMerkleTests.Hex(Rfc6962.NodeHash(left, leaves[2])));
        Assert.Equal(NaiveMerkleTests.CtRoots[3],
            NaiveMerkleTests.Hex(Rfc6962.NodeHash(left, Rfc6962.NodeHash(leaves[2], leaves[3]))));
    }

    [Fact]
    public void TesseraLogRoots()
    {
        string[] words = ["one", "two", "three", "four", "five", "six", "seven", "eit", "nain", "ten",
            "ileven", "twelf", "threeten", "fourten", "fivten"];
        var leaves = words.Select(w => Rfc6962.LeafHash(Word(w))).ToArray();

        Assert.Equal("0Nc2CrefWKseHj/mStd+LqC8B+NrX0btIiPt2SmN+ek=", Convert.ToBase64String(leaves[0]));
        var size3 = Rfc6962.NodeHash(Rfc6962.NodeHash(leaves[0], leaves[1]), leaves[2]);
        Assert.Equal("Wqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKk=", Convert.ToBase64String(size3));
        Assert.Equal("rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=", Convert.ToBase64String(new NaiveMerkle(leaves).Root(15)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1024)] // first size that no longer fits the stack buffer with its prefix
    [InlineData(65535)]
    [InlineData(200_000)]
    public void LeafHashIsSha256OfZeroPrefix(int length)
    {
        var entry = new byte[length];
        new Random(length).NextBytes(entry);
        var expected = SHA256.HashData([0x00, .. entry]);

        Assert.Equal(expected, Rfc6962.LeafHash(entry));
        var destination = new byte[40];
        Rfc6962.LeafHash(entry, destination);
        Assert.Equal(expected, destination[..32]);
        Assert.All(destination[32..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void NodeHashIsSha256OfOnePrefix()
    {
        var left = SHA256.HashData(Word("left"));
        var right = SHA256.HashData(Word("right"));
        var expected = SHA256.HashData([0x01, .. left, .. right]);

        Assert.Equal(expected, Rfc6962.NodeHash(left, right));
        Assert.NotEqual(expected, Rfc6962.NodeHash(right, left));
        var destination = new byte[32];
        Rfc6962.NodeHash(left, right, destination);
        Assert.Equal(expected, destination);
    }

    [Fact]
    public void NodeHashMayOverwriteItsInputs()
    {
        var left = SHA256.HashData(Word("left"));
        var right = SHA256.HashData(Word("right"));
        var expected = Rfc6962.NodeHash(left, right);

        var buffer = new byte[64];
        left.CopyTo(buffer, 0);
        right.CopyTo(buffer, 32);
        Rfc6962.NodeHash(buffer.AsSpan(0, 32), buffer.AsSpan(32, 32), buffer.AsSpan(0, 32));
        Assert.Equal(expected, buffer[..32]);

        left.CopyTo(buffer, 0);
        right.CopyTo(buffer, 32);
        Rfc6962.NodeHash(buffer.AsSpan(0, 32), buffer.AsSpan(32, 32), buffer.AsSpan(32, 32));
        Assert.Equal(expected, buffer[32..]);
    }

    [Fact]
    public void BadLengthsAreRefused()
    {
        var hash = new byte[32];
        Assert.Throws<ArgumentException>(() => Rfc6962.NodeHash(new byte[31], hash));
        Assert.Throws<ArgumentException>(() => Rfc6962.NodeHash(hash, new byte[33]));
        Assert.Throws<ArgumentException>(() => Rfc6962.NodeHash(hash, hash, new byte[31]));
        Assert.Throws<ArgumentException>(() => Rfc6962.LeafHash(hash, new byte[31]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(128)]
    [InlineData(256)]
    public void PerfectSubtreeHashIsMth(int count)
    {
        var leaves = NaiveMerkle.SyntheticLeaves(count);
        var destination = new byte[32];
        Rfc6962.PerfectSubtreeHash(leaves.SelectMany(l => l).ToArray(), destination);
        Assert.Equal(new NaiveMerkle(leaves).Root(count), destination);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(512)]
    public void PerfectSubtreeHashRefusesOtherCounts(int count) =>
        Assert.Throws<ArgumentException>(() => Rfc6962.PerfectSubtreeHash(new byte[count * 32], new byte[32]));
}
