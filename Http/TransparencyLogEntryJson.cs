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
    internal static readonly JsonWriterOptions Options = new()
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
            json.WriteString("logIndex", Int64(entry.LogIndex));
            json.WriteStartObject("logId");
            json.WriteBase64String("keyId", entry.LogId);
            json.WriteEndObject();
            json.WriteStartObject("kindVersion");
            json.WriteString("kind", entry.Kind);
            json.WriteString("version", entry.Version);
            json.WriteEndObject();
            json.WriteString("integratedTime", "0");
            json.WriteNull("inclusionPromise");
            json.WritePropertyName("inclusionProof");
            WriteInclusionProof(json, entry.LogIndex, entry.RootHash, entry.TreeSize, entry.Hashes, entry.CheckpointEnvelope);
            json.WriteBase64String("canonicalizedBody", entry.CanonicalizedBody);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A <c>dev.sigstore.rekor.v1.InclusionProof</c> object, as in the 201 answer and
    /// <c>GET /api/v2/proof/inclusion</c>.</summary>
    internal static void WriteInclusionProof(Utf8JsonWriter json, long logIndex, byte[] rootHash, long treeSize, IReadOnlyList<byte[]> hashes, string envelope)
    {
        json.WriteStartObject();
        json.WriteString("logIndex", Int64(logIndex));
        json.WriteBase64String("rootHash", rootHash);
        json.WriteString("treeSize", Int64(treeSize));
        WriteHashes(json, hashes);
        WriteCheckpoint(json, "checkpoint", envelope);
        json.WriteEndObject();
    }

    /// <summary>A proof's <c>hashes</c>: standard padded base64, [] when empty.</summary>
    internal static void WriteHashes(Utf8JsonWriter json, IReadOnlyList<byte[]> hashes)
    {
        json.WriteStartArray("hashes");
        foreach (byte[] hash in hashes)
            json.WriteBase64StringValue(hash);
        json.WriteEndArray();
    }

    /// <summary>A <c>dev.sigstore.rekor.v1.Checkpoint</c>: the signed note as its envelope.</summary>
    internal static void WriteCheckpoint(Utf8JsonWriter json, string name, string envelope)
    {
        json.WriteStartObject(name);
        json.WriteString("envelope", envelope);
        json.WriteEndObject();
    }

    /// <summary>protojson's int64: a decimal string.</summary>
    internal static string Int64(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
