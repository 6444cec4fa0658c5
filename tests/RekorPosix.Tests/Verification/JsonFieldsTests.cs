using System.Text.Json;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class JsonFieldsTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("""{"n":"42"}""", 42L)]
    [InlineData("""{"n":42}""", 42L)]
    [InlineData("""{}""", 0L)]
    [InlineData("""{"n":null}""", 0L)]
    public void Int64_TakesStringsNumbersAndTheProto3Default(string json, long expected)
    {
        Assert.Equal(expected, JsonFields.Int64(Parse(json), "n", "x"));
    }

    [Theory]
    [InlineData("""{"n":"-1"}""")]
    [InlineData("""{"n":"1e3"}""")]
    [InlineData("""{"n":true}""")]
    public void Int64_RefusesOtherText(string json)
    {
        Assert.Equal("x.n is not an int64", Assert.Throws<BundleRejectedException>(() => JsonFields.Int64(Parse(json), "n", "x")).Message);
    }

    [Fact]
    public void Bytes_TakesStandardAndUrlSafeBase64_AsProtojsonDoes()
    {
        Assert.Equal([0xfb, 0xff], JsonFields.Bytes(Parse("""{"b":"+/8="}"""), "b", ""));
        Assert.Equal([0xfb, 0xff], JsonFields.Bytes(Parse("""{"b":"-_8"}"""), "b", ""));
        Assert.Equal("b is missing or not base64 bytes", Assert.Throws<BundleRejectedException>(() => JsonFields.Bytes(Parse("{}"), "b", "")).Message);
    }

    [Fact]
    public void Object_NamesThePathOfWhatIsMissing()
    {
        var e = Assert.Throws<BundleRejectedException>(() => JsonFields.Object(Parse("""{"a":1}"""), "a", "root.x"));
        Assert.Equal("root.x.a is missing or not an object", e.Message);
    }

    [Fact]
    public void OptionalTimestamp_ReadsRfc3339()
    {
        Assert.Equal(new DateTimeOffset(2025, 4, 16, 1, 2, 3, TimeSpan.Zero), JsonFields.OptionalTimestamp(Parse("""{"t":"2025-04-16T01:02:03Z"}"""), "t", ""));
        Assert.Null(JsonFields.OptionalTimestamp(Parse("{}"), "t", ""));
        Assert.Equal("t is not an RFC 3339 time", Assert.Throws<BundleRejectedException>(() => JsonFields.OptionalTimestamp(Parse("""{"t":"yesterday"}"""), "t", "")).Message);
    }

    [Fact]
    public void Array_OfAMissingField_IsEmpty()
    {
        Assert.Empty(JsonFields.Array(Parse("{}"), "a", ""));
        Assert.Equal("a is missing or not an array", Assert.Throws<BundleRejectedException>(() => JsonFields.Array(Parse("""{"a":{}}"""), "a", "")).Message);
    }
}
