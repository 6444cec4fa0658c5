using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// Column values as Spanner carries them in <c>google.protobuf.Value</c> (spec
/// gcp-spanner-flavour.md §6.5): INT64 as a decimal string (a number value is refused), BYTES as
/// padded standard base64, TIMESTAMP as RFC 3339 UTC text, NULL as null_value.
/// </summary>
internal static class SpannerValues
{
    public static Value Int64(long value) => Value.ForString(value.ToString(CultureInfo.InvariantCulture));

    public static Value Bytes(ReadOnlySpan<byte> value) => Value.ForString(Convert.ToBase64String(value));

    public static Value Timestamp(Timestamp value) => Value.ForString(SpannerTimestamps.Format(value));

    public static Value Null() => Value.ForNull();

    public static bool IsNull(Value value) => value.KindCase == Value.KindOneofCase.NullValue;

    public static long ToInt64(Value value) =>
        long.TryParse(Text(value, "INT64"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed)
            ? parsed
            : throw new FormatException($"'{Verification.BoundedText.Of(value.StringValue)}' is not an INT64 (a decimal string)");

    public static byte[] ToBytes(Value value)
    {
        try
        {
            return Convert.FromBase64String(Text(value, "BYTES"));
        }
        catch (FormatException e)
        {
            throw new FormatException($"a BYTES value is not base64: {e.Message}", e);
        }
    }

    public static Timestamp ToTimestamp(Value value) => SpannerTimestamps.Parse(Text(value, "TIMESTAMP"));

    private static string Text(Value value, string type) => value.KindCase == Value.KindOneofCase.StringValue
        ? value.StringValue
        : throw new FormatException($"a {type} value came as {value.KindCase}, not as a string");
}
