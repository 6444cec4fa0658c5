using Google.Protobuf.WellKnownTypes;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>One row of a read, its values in the order of the columns asked for. The getters
/// name the column when a value is not what the schema says it is.</summary>
internal sealed class SpannerRow(IReadOnlyList<string> columns, IReadOnlyList<Value> values)
{
    public int Count => values.Count;

    public Value this[int column] => values[column];

    public bool IsNull(int column) => SpannerValues.IsNull(values[column]);

    public long Int64(int column) => Decode(column, SpannerValues.ToInt64);

    public long? NullableInt64(int column) => IsNull(column) ? null : Int64(column);

    public byte[] Bytes(int column) => Decode(column, SpannerValues.ToBytes);

    public byte[]? NullableBytes(int column) => IsNull(column) ? null : Bytes(column);

    public Timestamp Timestamp(int column) => Decode(column, SpannerValues.ToTimestamp);

    private T Decode<T>(int column, Func<Value, T> decode)
    {
        try
        {
            return decode(values[column]);
        }
        catch (FormatException e)
        {
            throw new FormatException($"column {columns[column]}: {e.Message}", e);
        }
    }
}
