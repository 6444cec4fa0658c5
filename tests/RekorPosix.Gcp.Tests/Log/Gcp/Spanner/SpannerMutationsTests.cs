using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Protos.Spanner;
using static RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Mutation shapes (spec gcp-spanner-flavour.md §6.6); the emulator round trips are in SpannerClientTests.</summary>
public sealed class SpannerMutationsTests
{
    [Fact]
    public void AWrite_IsOneRowInColumnOrder()
    {
        var insert = SpannerMutations.Insert("Seq", ["id", "seq", "v"], Int64(0), Int64(42), Bytes([1, 2]));

        Assert.Equal(Mutation.OperationOneofCase.Insert, insert.OperationCase);
        Assert.Equal("Seq", insert.Insert.Table);
        Assert.Equal(["id", "seq", "v"], insert.Insert.Columns);
        Assert.Equal(["0", "42", "AQI="], insert.Insert.Values.Single().Values.Select(v => v.StringValue));
        Assert.Equal(Mutation.OperationOneofCase.Update, SpannerMutations.Update("SeqCoord", ["id", "next"], Int64(0), Int64(1)).OperationCase);
        Assert.Equal(Mutation.OperationOneofCase.InsertOrUpdate, SpannerMutations.InsertOrUpdate("SeqCoord", ["id", "next"], Int64(0), Int64(1)).OperationCase);
    }

    [Fact]
    public void ADelete_NamesItsKeys()
    {
        var delete = SpannerMutations.Delete("Seq", SpannerKeys.Of(SpannerKeys.Key(Int64(0), Int64(7))));

        Assert.Equal("Seq", delete.Delete.Table);
        Assert.Equal(["0", "7"], delete.Delete.KeySet.Keys.Single().Values.Select(v => v.StringValue));
    }

    [Fact]
    public void AValueCountUnlikeTheColumns_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => SpannerMutations.Insert("Seq", ["id", "seq", "v"], Int64(0), Int64(1)));

        Assert.Contains("2 values for the 3 columns of Seq", error.Message);
    }
}
