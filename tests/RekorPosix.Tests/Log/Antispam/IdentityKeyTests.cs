using System.Security.Cryptography;
using RekorPosix.Log.Antispam;

namespace RekorPosix.Tests.Log.Antispam;

public class IdentityKeyTests
{
    [Fact]
    public void Of_IsSha256OfTheEntry()
    {
        Assert.Equal(new IdentityKey(SHA256.HashData("entry"u8)), IdentityKey.Of("entry"u8));
    }

    [Fact]
    public void KeysDifferingInAnyWord_AreDifferent()
    {
        var bytes = SHA256.HashData("entry"u8);
        var key = new IdentityKey(bytes);
        for (int i = 0; i < IdentityKey.Size; i += 8)
        {
            var other = (byte[])bytes.Clone();
            other[i + 7] ^= 1;
            Assert.NotEqual(key, new IdentityKey(other));
        }
        Assert.Equal(key.GetHashCode(), new IdentityKey((byte[])bytes.Clone()).GetHashCode());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void AnIdentityOfAnotherLength_IsRefused(int length)
    {
        Assert.Throws<ArgumentException>(() => new IdentityKey(new byte[length]));
    }
}
