using Google.Protobuf.WellKnownTypes;
using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Typed reads of a row's values.</summary>
public sealed class SpannerRowTests
{
    private static readonly SpannerRow Row = new(["id", "size", "rootHash"], [Value.ForString("0"), Value.ForNull(), Value.ForString("AQI=")]);

    [Fact]
    public void Getters_DecodeByColumn()
    {
        Assert.Equal(0, Row.Int64(0));
        Assert.Null(Row.NullableInt64(1));
        Assert.True(Row.IsNull(1));
        Assert.Equal([1, 2], Row.Bytes(2));
        Assert.Equal(3, Row.Count);
    }

    [Fact]
    public void AValueOfTheWrongKind_NamesItsColumn()
    {
        var error = Assert.Throws<FormatException>(() => Row.Int64(1));

        Assert.StartsWith("column size: ", error.Message);
    }
}
