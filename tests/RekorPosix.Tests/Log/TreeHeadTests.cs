using System.Security.Cryptography;
using RekorPosix.Log;

namespace RekorPosix.Tests.Log;

public class TreeHeadTests
{
    [Fact]
    public void Empty_IsSizeZero_WithTheHashOfNothing()
    {
        Assert.Equal(0, TreeHead.Empty.Size);
        // RFC 6962: MTH({}) = SHA-256 of the empty string.
        Assert.Equal(SHA256.HashData([]), TreeHead.Empty.Root);
    }

    [Fact]
    public void SameAs_ComparesRootsByContent()
    {
        byte[] root = SHA256.HashData("a root"u8);
        var head = new TreeHead(7, root);
        // A copy in another array: records compare arrays by reference, SameAs must not.
        var copy = new TreeHead(7, (byte[])root.Clone());
        Assert.NotEqual(head, copy);
        Assert.True(head.SameAs(copy));
        Assert.True(copy.SameAs(head));
        Assert.True(TreeHead.Empty.SameAs(new TreeHead(0, SHA256.HashData([]))));
    }

    [Fact]
    public void SameAs_FailsOnAnotherSizeOrRoot()
    {
        byte[] root = SHA256.HashData("a root"u8);
        var head = new TreeHead(7, root);
        Assert.False(head.SameAs(new TreeHead(8, (byte[])root.Clone())));
        byte[] other = (byte[])root.Clone();
        other[31] ^= 1;
        Assert.False(head.SameAs(new TreeHead(7, other)));
        Assert.False(head.SameAs(new TreeHead(7, root[..31])));
        Assert.False(TreeHead.Empty.SameAs(new TreeHead(1, TreeHead.Empty.Root)));
    }
}
