using System.Collections;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace RekorPosix.Log.Entries;

/// <summary>
/// Merges one JSON object into a protobuf message with the rules of Go's <c>protojson.Unmarshal</c>
/// (unknown fields refused): JSON or proto field names; duplicate fields, a second oneof member,
/// wrong JSON types, bad base64 and unknown enum names refused; enums by name or int32 number;
/// <c>null</c> leaves a field unset but still counts as its one appearance. Error texts and
/// (line:column) positions follow Go's. Supports the field types the Rekor request uses: messages,
/// bytes, strings, enums, and repeated fields of those.
/// </summary>
internal ref struct ProtoJsonReader
{
    private readonly ReadOnlySpan<byte> _json;
    private Utf8JsonReader _reader;

    /// <param name="json">Exactly one complete, syntactically valid JSON value.</param>
    private ProtoJsonReader(ReadOnlySpan<byte> json)
    {
        _json = json;
        _reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = ProtoJsonLimits.MaxDepth });
    }

    public static void Merge(ReadOnlySpan<byte> json, IMessage message)
    {
        var reader = new ProtoJsonReader(json);
        try
        {
            reader._reader.Read();
            reader.ReadMessage(message);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on invalid UTF-8 or a lone surrogate escape.
            throw new RequestDecodeException($"proto: {reader.Position()}: invalid UTF-8 or escape in string", e);
        }
    }

    private void ReadMessage(IMessage message)
    {
        if (_reader.TokenType != JsonTokenType.StartObject)
            throw UnexpectedToken();
        var descriptor = message.Descriptor;
        var seenFields = new HashSet<int>();
        var seenOneofs = new HashSet<OneofDescriptor>();
        while (true)
        {
            _reader.Read();
            if (_reader.TokenType == JsonTokenType.EndObject)
                return;

            var nameToken = RawToken();
            var namePosition = Position();
            var name = _reader.GetString()!;
            var field = FindField(descriptor, name)
                ?? throw Error(namePosition, $"unknown field {nameToken}");
            if (!seenFields.Add(field.FieldNumber))
                throw Error(namePosition, $"duplicate field {nameToken}");

            _reader.Read();
            if (_reader.TokenType == JsonTokenType.Null)
                continue;
            if (field.IsRepeated)
            {
                ReadList(field, (IList)field.Accessor.GetValue(message));
                continue;
            }
            if (field.RealContainingOneof is { } oneof && !seenOneofs.Add(oneof))
                throw Error(namePosition, $"error parsing {nameToken}, oneof {oneof.FullName} is already set");
            field.Accessor.SetValue(message, ReadSingular(field));
        }
    }

    /// <summary>The JSON name first, then the proto name, as Go looks them up.</summary>
    private static FieldDescriptor? FindField(MessageDescriptor descriptor, string name)
    {
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (field.JsonName == name)
                return field;
        }
        return descriptor.FindFieldByName(name);
    }

    private void ReadList(FieldDescriptor field, IList list)
    {
        if (_reader.TokenType != JsonTokenType.StartArray)
            throw UnexpectedToken();
        while (true)
        {
            _reader.Read();
            if (_reader.TokenType == JsonTokenType.EndArray)
                return;
            list.Add(ReadSingular(field));
        }
    }

    private object ReadSingular(FieldDescriptor field)
    {
        switch (field.FieldType)
        {
            case FieldType.Message:
                var child = field.MessageType.Parser.ParseFrom(ReadOnlySpan<byte>.Empty);
                ReadMessage(child);
                return child;
            case FieldType.Bytes:
                if (_reader.TokenType == JsonTokenType.String && GoBase64.TryDecode(_reader.GetString()!, out var bytes))
                    return ByteString.CopyFrom(bytes);
                throw InvalidValue("bytes", field);
            case FieldType.String:
                if (_reader.TokenType == JsonTokenType.String)
                    return _reader.GetString()!;
                throw InvalidValue("string", field);
            case FieldType.Enum:
                if (_reader.TokenType == JsonTokenType.String
                    && field.EnumType.FindValueByName(_reader.GetString()!) is { } named)
                    return named.Number;
                if (_reader.TokenType == JsonTokenType.Number && ProtoJsonInteger.TryParseInt32(_reader.ValueSpan, out var number))
                    return number;
                throw InvalidValue("enum", field);
            default:
                // Only reachable if a .proto in the request tree gains a type this reader was not taught.
                throw new NotSupportedException($"protojson field type {field.FieldType} is not supported");
        }
    }

    private RequestDecodeException InvalidValue(string kind, FieldDescriptor field) =>
        Error(Position(), $"invalid value for {kind} field {field.JsonName}: {RawToken()}");

    private RequestDecodeException UnexpectedToken() =>
        new($"proto: syntax error {Position()}: unexpected token {RawToken()}");

    private static RequestDecodeException Error(string position, string problem) => new($"proto: {position}: {problem}");

    /// <summary>The current token as it appears in the JSON text, as Go's RawString shows it.</summary>
    private readonly string RawToken() => _reader.TokenType switch
    {
        JsonTokenType.StartObject => "{",
        JsonTokenType.EndObject => "}",
        JsonTokenType.StartArray => "[",
        JsonTokenType.EndArray => "]",
        JsonTokenType.String or JsonTokenType.PropertyName => $"\"{Encoding.UTF8.GetString(_reader.ValueSpan)}\"",
        _ => Encoding.UTF8.GetString(_reader.ValueSpan),
    };

    /// <summary>"(line L:C)" of the current token: lines from 1, columns in runes from 1.</summary>
    private readonly string Position()
    {
        var offset = (int)_reader.TokenStartIndex;
        var before = _json[..offset];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        var line = before.Count((byte)'\n') + 1;
        var column = 1;
        foreach (var b in before[lineStart..])
        {
            if ((b & 0xC0) != 0x80) // count runes, not bytes: skip UTF-8 continuation bytes
                column++;
        }
        return $"(line {line}:{column})";
    }
}
