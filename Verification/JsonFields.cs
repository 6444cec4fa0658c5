using System.Globalization;
using System.Text.Json;
using RekorPosix.Log.Entries;

namespace RekorPosix.Verification;

/// <summary>
/// Reads the protojson fields of Sigstore's bundle and trusted-root documents from a
/// <see cref="JsonElement"/>: camelCase names, bytes as base64 (standard or URL-safe, as protojson
/// accepts), 64-bit integers as strings or numbers. A missing or mistyped field is a
/// <see cref="BundleRejectedException"/> naming its path, so a bad document says where it is bad.
/// </summary>
internal static class JsonFields
{
    /// <summary>A JSON document of at most 32 levels (Sigstore's have fewer than 10), or a rejection naming <paramref name="what"/>.</summary>
    public static JsonDocument Document(ReadOnlyMemory<byte> json, string what)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new BundleRejectedException($"{what} is not JSON ({e.Message})", e);
        }
    }

    public static JsonElement Object(JsonElement parent, string name, string path) =>
        Optional(parent, name) is { ValueKind: JsonValueKind.Object } value
            ? value
            : throw Missing(path, name, "an object");

    public static JsonElement? OptionalObject(JsonElement parent, string name, string path) =>
        Optional(parent, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Object } value => value,
            _ => throw Missing(path, name, "an object"),
        };

    public static IReadOnlyList<JsonElement> Array(JsonElement parent, string name, string path)
    {
        return Optional(parent, name) switch
        {
            null => [],
            { ValueKind: JsonValueKind.Array } value => [.. value.EnumerateArray()],
            _ => throw Missing(path, name, "an array"),
        };
    }

    public static string String(JsonElement parent, string name, string path) =>
        OptionalString(parent, name, path) ?? throw Missing(path, name, "a string");

    public static string? OptionalString(JsonElement parent, string name, string path) =>
        Optional(parent, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } value => value.GetString(),
            _ => throw Missing(path, name, "a string"),
        };

    public static byte[] Bytes(JsonElement parent, string name, string path) =>
        OptionalBytes(parent, name, path) ?? throw Missing(path, name, "base64 bytes");

    public static byte[]? OptionalBytes(JsonElement parent, string name, string path)
    {
        if (OptionalString(parent, name, path) is not { } text)
            return null;
        return GoBase64.TryDecode(text, out var bytes)
            ? bytes
            : throw new BundleRejectedException($"{Join(path, name)} is not valid base64");
    }

    /// <summary>An int64 field: protojson writes it as a string, but accepts a number too, and leaves
    /// it out when it is 0 (proto3 writes no default values).</summary>
    public static long Int64(JsonElement parent, string name, string path)
    {
        switch (Optional(parent, name))
        {
            case { ValueKind: JsonValueKind.Number } number when number.TryGetInt64(out long value):
                return value;
            case { ValueKind: JsonValueKind.String } text
                when long.TryParse(text.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out long value):
                return value;
            case null:
                return 0;
            default:
                throw new BundleRejectedException($"{Join(path, name)} is not an int64");
        }
    }

    /// <summary>A google.protobuf.Timestamp in RFC 3339 form, as protojson writes it.</summary>
    public static DateTimeOffset? OptionalTimestamp(JsonElement parent, string name, string path)
    {
        if (OptionalString(parent, name, path) is not { } text)
            return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new BundleRejectedException($"{Join(path, name)} is not an RFC 3339 time");
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static JsonElement? Optional(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    private static BundleRejectedException Missing(string path, string name, string what) =>
        new($"{Join(path, name)} is missing or not {what}");
}
