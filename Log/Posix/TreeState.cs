using System.Text;
using System.Text.Json;

namespace RekorPosix.Log.Posix;

/// <summary>
/// The integrated (not necessarily published) tree: <c>.state/treeState</c>, tessera's JSON
/// <c>{"size":N,"root":"base64"}</c>. Renaming it into place is the commit point of a batch.
/// </summary>
internal readonly record struct TreeState(long Size, byte[] Root)
{
    public TreeHead Head => new(Size, Root);

    public static TreeState Of(TreeHead head) => new(head.Size, head.Root);

    public byte[] Encode() =>
        Encoding.UTF8.GetBytes($"{{\"size\":{Size},\"root\":\"{Convert.ToBase64String(Root)}\"}}");

    /// <summary>Strict decode: both fields present, size ≥ 0, root exactly 32 bytes.</summary>
    public static TreeState Decode(ReadOnlySpan<byte> json)
    {
        long? size = null;
        byte[]? root = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                Expect(reader.Read());
                switch (name)
                {
                    case "size":
                        Expect(reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long s) && s >= 0);
                        size = reader.GetInt64();
                        break;
                    case "root":
                        Expect(reader.TokenType == JsonTokenType.String);
                        root = reader.GetBytesFromBase64();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            Expect(reader.TokenType == JsonTokenType.EndObject && !reader.Read());
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new FormatException($"treeState is not valid JSON: {e.Message}", e);
        }
        if (size is null || root is null || root.Length != 32)
            throw new FormatException("treeState must hold a size and a 32-byte base64 root");
        return new TreeState(size.Value, root);
    }

    private static void Expect(bool condition)
    {
        if (!condition)
            throw new FormatException("unexpected token");
    }
}
