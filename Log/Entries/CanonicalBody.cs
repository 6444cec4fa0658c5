using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;

namespace RekorPosix.Log.Entries;

/// <summary>
/// The leaf bytes of a hashedrekord v0.0.2 entry: what Go gets from <c>protojson.Marshal</c> of the
/// Entry followed by RFC 8785 canonicalisation. Keys are written directly in their sorted order;
/// fields at their proto3 default are left out; enums are names (numbers if undefined); bytes are
/// standard padded base64. Every string written is ASCII without quotes or backslashes, so JCS
/// escaping never applies.
/// </summary>
public static class CanonicalBody
{
    public const string Kind = "hashedrekord";
    public const string ApiVersion = "0.0.2";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Base64 and enum names need no escaping; the default encoder would still escape '+'.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly EnumDescriptor HashAlgorithmEnum =
        HashOutput.Descriptor.FindFieldByNumber(HashOutput.AlgorithmFieldNumber).EnumType;

    private static readonly EnumDescriptor KeyDetailsEnum =
        Verifier.Descriptor.FindFieldByNumber(Verifier.KeyDetailsFieldNumber).EnumType;

    /// <summary>The canonical JSON of the entry holding <paramref name="data"/> and the client's signature, kept as sent.</summary>
    public static byte[] Build(HashOutput data, Signature signature)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", ApiVersion);
            json.WriteString("kind", Kind);
            json.WriteStartObject("spec");
            json.WriteStartObject("hashedRekordV002");
            WriteData(json, data);
            WriteSignature(json, signature);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>RFC 6962 leaf hash: SHA-256(0x00 ‖ body).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> body)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData([0x00]);
        sha.AppendData(body);
        return sha.GetHashAndReset();
    }

    /// <summary>The deduplication identity: SHA-256(body), without the leaf prefix.</summary>
    public static byte[] Identity(ReadOnlySpan<byte> body) => SHA256.HashData(body);

    private static void WriteData(Utf8JsonWriter json, HashOutput data)
    {
        json.WriteStartObject("data");
        WriteEnum(json, "algorithm", HashAlgorithmEnum, (int)data.Algorithm);
        WriteBytes(json, "digest", data.Digest);
        json.WriteEndObject();
    }

    private static void WriteSignature(Utf8JsonWriter json, Signature? signature)
    {
        if (signature is null)
            return;
        json.WriteStartObject("signature");
        WriteBytes(json, "content", signature.Content);
        if (signature.Verifier is { } verifier)
        {
            json.WriteStartObject("verifier");
            WriteEnum(json, "keyDetails", KeyDetailsEnum, (int)verifier.KeyDetails);
            switch (verifier.VerifierCase)
            {
                case Verifier.VerifierOneofCase.PublicKey:
                    WriteRawBytesObject(json, "publicKey", verifier.PublicKey.RawBytes);
                    break;
                case Verifier.VerifierOneofCase.X509Certificate:
                    WriteRawBytesObject(json, "x509Certificate", verifier.X509Certificate.RawBytes);
                    break;
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteRawBytesObject(Utf8JsonWriter json, string name, ByteString rawBytes)
    {
        json.WriteStartObject(name);
        WriteBytes(json, "rawBytes", rawBytes);
        json.WriteEndObject();
    }

    private static void WriteBytes(Utf8JsonWriter json, string name, ByteString value)
    {
        if (!value.IsEmpty)
            json.WriteBase64String(name, value.Span);
    }

    private static void WriteEnum(Utf8JsonWriter json, string name, EnumDescriptor type, int value)
    {
        if (value == 0)
            return;
        if (type.FindValueByNumber(value) is { } known)
            json.WriteString(name, known.Name);
        else
            json.WriteNumber(name, value);
    }
}
