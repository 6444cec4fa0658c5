using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RekorPosix.Http;

/// <summary>
/// Renders the 201 answer as rekor-tiles' grpc-gateway does (protojson, EmitUnpopulated): every
/// field present in protobuf field order, int64 as strings, <c>integratedTime</c> "0",
/// <c>inclusionPromise</c> null, <c>hashes</c> [] when empty, bytes as standard padded base64.
/// Written by hand: it is small, fixed, and must not depend on reflection.
/// </summary>
public static class TransparencyLogEntryJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        // The checkpoint envelope holds an em dash; keep it as UTF-8 like Go's protojson does.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Render(CreatedEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 + entry.CanonicalizedBody.Length * 2);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("logIndex", entry.LogIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteStartObject("logId");
            json.WriteBase64String("keyId", entry.LogId);
            json.WriteEndObject();
            json.WriteStartObject("kindVersion");
            json.WriteString("kind", entry.Kind);
            json.WriteString("version", entry.Version);
            json.WriteEndObject();
            json.WriteString("integratedTime", "0");
            json.WriteNull("inclusionPromise");
            json.WriteStartObject("inclusionProof");
            json.WriteString("logIndex", entry.LogIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteBase64String("rootHash", entry.RootHash);
            json.WriteString("treeSize", entry.TreeSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteStartArray("hashes");
            foreach (byte[] hash in entry.Hashes)
                json.WriteBase64StringValue(hash);
            json.WriteEndArray();
            json.WriteStartObject("checkpoint");
            json.WriteString("envelope", entry.CheckpointEnvelope);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteBase64String("canonicalizedBody", entry.CanonicalizedBody);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The error body of every non-405 error: <c>{"code":N,"message":"…","details":[]}</c>.</summary>
    public static byte[] RenderError(GrpcCode code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("code", (int)code);
            json.WriteString("message", message);
            json.WriteStartArray("details");
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
