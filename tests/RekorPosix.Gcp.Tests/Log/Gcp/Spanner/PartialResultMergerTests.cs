using Google.Protobuf.WellKnownTypes;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Protos.Spanner;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>StreamingRead results put back together (spec gcp-spanner-flavour.md §6.7): rows and
/// chunked values across message boundaries, as the emulator sends them, by known answers.</summary>
public sealed class PartialResultMergerTests
{
    private static PartialResultSet Part(bool chunked, params Value[] values)
    {
        var part = new PartialResultSet { ChunkedValue = chunked };
        part.Values.Add(values);
        return part;
    }

    private static PartialResultSet First(bool chunked, params Value[] values)
    {
        var part = Part(chunked, values);
        part.Metadata = new ResultSetMetadata { RowType = new StructType() };
        foreach (string column in new[] { "id", "seq", "v" })
            part.Metadata.RowType.Fields.Add(new StructType.Types.Field { Name = column, Type = new Protos.Spanner.Type { Code = Protos.Spanner.TypeCode.Int64 } });
        return part;
    }

    private static Value S(string text) => Value.ForString(text);

    [Fact]
    public void RowsCrossMessages_AndAChunkedValueIsJoinedBeforeDecoding()
    {
        var merger = new PartialResultMerger();
        // "aGVsbG8gd29ybGQ=" is base64 of "hello world": split inside a 4-character group, so
        // decoding either half alone would fail.
        merger.Add(First(true, S("0"), S("5"), S("aGVsbG8gd2")));
        merger.Add(Part(true, S("9yb")));
        merger.Add(Part(false, S("GQ="), S("0"), S("6")));
        merger.Add(Part(false, S("/w==")));

        var rows = merger.Finish();

        Assert.Equal(2, rows.Count);
        Assert.Equal([0L, 5L], new[] { rows[0].Int64(0), rows[0].Int64(1) });
        Assert.Equal("hello world"u8.ToArray(), rows[0].Bytes(2));
        Assert.Equal([0L, 6L], new[] { rows[1].Int64(0), rows[1].Int64(1) });
        Assert.Equal([0xff], rows[1].Bytes(2));
    }

    [Fact]
    public void AnEmptyStream_IsNoRows()
    {
        var merger = new PartialResultMerger();
        merger.Add(First(false));

        Assert.Empty(merger.Finish());
    }

    [Fact]
    public void ChunkedLists_MergeTheirBoundaryStrings_ButNotWholeNumbers()
    {
        var head = Value.ForList(S("ab"), S("c"));
        var tail = Value.ForList(S("d"), S("e"));

        var merged = PartialResultMerger.Merge(head, tail);

        Assert.Equal(["ab", "cd", "e"], merged.ListValue.Values.Select(v => v.StringValue));
        var numbers = PartialResultMerger.Merge(Value.ForList(Value.ForNumber(1)), Value.ForList(Value.ForNumber(2)));
        Assert.Equal([1.0, 2.0], numbers.ListValue.Values.Select(v => v.NumberValue));
    }

    [Fact]
    public void AStreamEndingInsideARow_IsAnError_NotAShortResult()
    {
        var merger = new PartialResultMerger();
        merger.Add(First(false, S("0"), S("5")));

        var error = Assert.Throws<InvalidDataException>(merger.Finish);

        Assert.Contains("2 of 3 values", error.Message);
    }

    [Fact]
    public void AStreamEndingInsideAChunkedValue_IsAnError()
    {
        var merger = new PartialResultMerger();
        merger.Add(First(true, S("0"), S("5"), S("aGVs")));

        Assert.Throws<InvalidDataException>(merger.Finish);
    }

    [Fact]
    public void AFirstMessageWithoutMetadata_IsAnError()
    {
        var merger = new PartialResultMerger();

        Assert.Throws<InvalidDataException>(() => merger.Add(Part(false, S("0"))));
    }

    [Fact]
    public void MismatchedChunkKinds_AreAnError() =>
        Assert.Throws<InvalidDataException>(() => PartialResultMerger.Merge(S("a"), Value.ForList(S("b"))));
}
