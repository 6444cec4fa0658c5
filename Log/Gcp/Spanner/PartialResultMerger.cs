using System.Text;
using Google.Protobuf.WellKnownTypes;
using RekorPosix.Protos.Spanner;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// Rows out of a StreamingRead (spec gcp-spanner-flavour.md §6.7): the messages' values form one
/// flat list, every N of them a row (N = the fields of the first message's metadata), rows and
/// values crossing message boundaries. A message with chunked_value set ends with the first part
/// of a value that the next message's first value continues: strings (so base64 BYTES) are
/// concatenated, lists too with their boundary elements merged by the same rule. Base64 is
/// decoded only from the merged text.
/// </summary>
internal sealed class PartialResultMerger
{
    private string[]? _columns;
    private readonly List<Value> _row = [];
    private readonly List<SpannerRow> _rows = [];
    private Value? _unfinished;

    public void Add(PartialResultSet part)
    {
        if (_columns is null)
        {
            var fields = part.Metadata?.RowType?.Fields ?? throw new InvalidDataException("a StreamingRead's first message came without the row type");
            if (fields.Count == 0)
                throw new InvalidDataException("a StreamingRead's row type has no columns");
            _columns = [.. fields.Select(f => f.Name)];
        }
        int count = part.Values.Count;
        if (part.ChunkedValue && count == 0)
            throw new InvalidDataException("a StreamingRead message is marked chunked but has no value");
        for (int i = 0; i < count; i++)
        {
            var value = part.Values[i];
            if (i == 0 && _unfinished is not null)
            {
                value = Merge(_unfinished, value);
                _unfinished = null;
            }
            if (i == count - 1 && part.ChunkedValue)
                _unfinished = value;
            else
                Append(value);
        }
    }

    /// <summary>The rows, once the stream has ended; a stream that stopped inside a row or a
    /// value is an error, never a short result.</summary>
    public IReadOnlyList<SpannerRow> Finish()
    {
        if (_unfinished is not null || _row.Count != 0)
            throw new InvalidDataException($"a StreamingRead ended inside a row ({_row.Count} of {_columns?.Length} values{(_unfinished is null ? "" : ", one of them chunked")})");
        return _rows;
    }

    private void Append(Value value)
    {
        _row.Add(value);
        if (_row.Count < _columns!.Length)
            return;
        _rows.Add(new SpannerRow(_columns, [.. _row]));
        _row.Clear();
    }

    /// <summary>Joins a chunked value's two parts.</summary>
    internal static Value Merge(Value head, Value tail)
    {
        if (head.KindCase == Value.KindOneofCase.StringValue && tail.KindCase == Value.KindOneofCase.StringValue)
            return Value.ForString(new StringBuilder(head.StringValue.Length + tail.StringValue.Length).Append(head.StringValue).Append(tail.StringValue).ToString());
        if (head.KindCase == Value.KindOneofCase.ListValue && tail.KindCase == Value.KindOneofCase.ListValue)
            return Value.ForList([.. MergeLists(head.ListValue.Values, tail.ListValue.Values)]);
        throw new InvalidDataException($"a chunked {head.KindCase} value cannot continue with a {tail.KindCase} value");
    }

    private static IEnumerable<Value> MergeLists(IList<Value> head, IList<Value> tail)
    {
        // Only strings and lists can be split; a list's last number, bool or null is whole.
        bool split = head.Count > 0 && tail.Count > 0
            && head[^1].KindCase is Value.KindOneofCase.StringValue or Value.KindOneofCase.ListValue;
        if (!split)
            return head.Concat(tail);
        return head.Take(head.Count - 1).Append(Merge(head[^1], tail[0])).Concat(tail.Skip(1));
    }
}
