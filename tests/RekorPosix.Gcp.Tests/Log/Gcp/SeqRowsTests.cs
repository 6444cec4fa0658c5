using RekorPosix.Log.Gcp;

namespace RekorPosix.Tests.Log.Gcp;

public class SeqRowsTests
{
    private static List<ReadOnlyMemory<byte>> Entries(params int[] lengths) => [.. lengths.Select(n => (ReadOnlyMemory<byte>)new byte[n])];

    [Fact]
    public void Split_SmallBatch_IsOneRow() =>
        Assert.Equal([(0, 3)], SeqRows.Split(Entries(10, 20, 30)));

    [Fact]
    public void Split_StartsANewRowBeforeTheLimitIsPassed()
    {
        // Records are 2 bytes longer than their entries: 40 + 40 fit in 80, the third does not.
        Assert.Equal([(0, 2), (2, 2), (4, 1)], SeqRows.Split(Entries(38, 38, 38, 38, 38), maxBytes: 80));
    }

    [Fact]
    public void Split_AnEntryLargerThanTheLimit_IsARowOfItsOwn() =>
        Assert.Equal([(0, 1), (1, 1), (2, 1)], SeqRows.Split(Entries(5, 100, 5), maxBytes: 50));

    [Fact]
    public void Split_256LargestEntries_StayUnderNineMebibytesPerRow()
    {
        var rows = SeqRows.Split(Entries([.. Enumerable.Repeat(65535, 256)]));
        Assert.Equal(256, rows.Sum(r => r.Count));
        Assert.All(rows, r => Assert.True(r.Count * 65537L <= SeqRows.MaxBundleBytesPerRow));
        Assert.Equal(2, rows.Count);
    }
}
