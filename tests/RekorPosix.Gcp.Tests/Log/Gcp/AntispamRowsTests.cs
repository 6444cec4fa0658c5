using System.Security.Cryptography;
using RekorPosix.Log.Gcp;

namespace RekorPosix.Tests.Log.Gcp;

public class AntispamRowsTests
{
    private static byte[] Hash(int i) => SHA256.HashData([(byte)i]);

    [Fact]
    public void Of_GivesEachIdentityItsIndex()
    {
        var rows = AntispamRows.Of(10, [.. Hash(1), .. Hash(2)]);
        Assert.Equal(2, rows.Count);
        Assert.Equal([10L, 11L], rows.Rows.Select(r => r.Index));
        Assert.Equal([Hash(1), Hash(2)], rows.Rows.Select(r => r.Hash));
    }

    [Fact]
    public void Of_ARepeatWithinTheBatch_KeepsOnlyItsFirstIndex()
    {
        var rows = AntispamRows.Of(0, [.. Hash(1), .. Hash(2), .. Hash(1)]);
        Assert.Equal(3, rows.Count);
        Assert.Equal([0L, 1L], rows.Rows.Select(r => r.Index));
        Assert.Equal(Hash(1), rows.Rows[0].Hash);
    }
}
