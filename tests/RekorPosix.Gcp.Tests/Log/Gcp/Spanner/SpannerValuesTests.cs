using Google.Protobuf.WellKnownTypes;
using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Known answers of Spanner's value encodings (spec gcp-spanner-flavour.md §6.5): no emulator needed.</summary>
public sealed class SpannerValuesTests
{
    [Theory]
    [InlineData(0L, "0")]
    [InlineData(20480L, "20480")]
    [InlineData(-1L, "-1")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    [InlineData(long.MinValue, "-9223372036854775808")]
    public void Int64_IsADecimalString(long value, string text)
    {
        var encoded = SpannerValues.Int64(value);

        Assert.Equal(Value.KindOneofCase.StringValue, encoded.KindCase);
        Assert.Equal(text, encoded.StringValue);
        Assert.Equal(value, SpannerValues.ToInt64(encoded));
    }

    [Fact]
    public void Bytes_ArePaddedStandardBase64()
    {
        // IntCoord's initial rootHash: SHA-256 of the empty string (spec §3.2).
        byte[] emptyRoot = System.Security.Cryptography.SHA256.HashData([]);

        var encoded = SpannerValues.Bytes(emptyRoot);

        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", encoded.StringValue);
        Assert.Equal(emptyRoot, SpannerValues.ToBytes(encoded));
        Assert.Equal("/w==", SpannerValues.Bytes([0xff]).StringValue);
    }

    [Fact]
    public void Timestamp_IsRfc3339TextInUtc()
    {
        var encoded = SpannerValues.Timestamp(new Timestamp { Seconds = 1796558400, Nanos = 123456789 });

        Assert.Equal("2026-12-06T12:00:00.123456789Z", encoded.StringValue);
        Assert.Equal(new Timestamp { Seconds = 1796558400, Nanos = 123456789 }, SpannerValues.ToTimestamp(encoded));
    }

    [Fact]
    public void Null_IsNullValue()
    {
        Assert.True(SpannerValues.IsNull(SpannerValues.Null()));
        Assert.False(SpannerValues.IsNull(SpannerValues.Int64(0)));
    }

    [Fact]
    public void ANumberValue_IsNoInt64()
    {
        // Spanner itself refuses a JSON number for INT64; reading one back would hide a bug.
        var error = Assert.Throws<FormatException>(() => SpannerValues.ToInt64(Value.ForNumber(7)));

        Assert.Contains("INT64", error.Message);
    }

    [Theory]
    [InlineData("12a")]
    [InlineData(" 12")]
    [InlineData("9223372036854775808")]
    [InlineData("")]
    public void MalformedInt64_IsRefused(string text) =>
        Assert.Throws<FormatException>(() => SpannerValues.ToInt64(Value.ForString(text)));

    [Fact]
    public void MalformedBase64_IsRefused()
    {
        var error = Assert.Throws<FormatException>(() => SpannerValues.ToBytes(Value.ForString("not base64!")));

        Assert.Contains("BYTES", error.Message);
    }
}
