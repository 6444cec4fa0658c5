using Google.Protobuf.WellKnownTypes;
using RekorPosix.Protos.Spanner;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>Keys and key sets: a key is the list of its key columns' values in key order, e.g.
/// <c>["0"]</c> for the single-row tables and <c>["0", "&lt;seq&gt;"]</c> for Seq (spec §6.5).</summary>
internal static class SpannerKeys
{
    public static ListValue Key(params Value[] columns)
    {
        var key = new ListValue();
        key.Values.Add(columns);
        return key;
    }

    /// <summary>These keys; rows come back in key order, missing keys as no row.</summary>
    public static KeySet Of(params IEnumerable<ListValue> keys)
    {
        var set = new KeySet();
        set.Keys.Add(keys);
        return set;
    }

    /// <summary>Keys from <paramref name="start"/> (included) to <paramref name="end"/> (excluded).</summary>
    public static KeySet HalfOpenRange(ListValue start, ListValue end) =>
        new() { Ranges = { new KeyRange { StartClosed = start, EndOpen = end } } };

    /// <summary>Keys from <paramref name="start"/> to <paramref name="end"/>, both included. A
    /// prefix of the key names all the keys that start with it.</summary>
    public static KeySet ClosedRange(ListValue start, ListValue end) =>
        new() { Ranges = { new KeyRange { StartClosed = start, EndClosed = end } } };

    public static KeySet All() => new() { All = true };
}
