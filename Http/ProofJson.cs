using System.Buffers;
using System.Text.Json;
using RekorPosix.Log;

namespace RekorPosix.Http;

/// <summary>
/// The answers of the proof routes, written as <see cref="TransparencyLogEntryJson"/> writes the
/// 201 answer (protojson: int64 as strings, bytes as standard base64): an inclusion proof is the
/// <c>dev.sigstore.rekor.v1.InclusionProof</c> message, so a client can put it in a bundle as is.
/// </summary>
internal static class ProofJson
{
    public static byte[] Inclusion(long index, InclusionProof proof) =>
        Write(json => TransparencyLogEntryJson.WriteInclusionProof(json, index, proof.RootHash, proof.TreeSize, proof.Hashes, proof.Envelope));

    /// <summary><c>{"firstSize","treeSize","rootHash","hashes","checkpoint"[,"firstCheckpoint"]}</c>;
    /// <paramref name="firstNote"/> is the kept checkpoint of the first size, if any.</summary>
    public static byte[] Consistency(ConsistencyProof proof, string? firstNote) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("firstSize", TransparencyLogEntryJson.Int64(proof.FirstSize));
        json.WriteString("treeSize", TransparencyLogEntryJson.Int64(proof.TreeSize));
        json.WriteBase64String("rootHash", proof.RootHash);
        TransparencyLogEntryJson.WriteHashes(json, proof.Hashes);
        TransparencyLogEntryJson.WriteCheckpoint(json, "checkpoint", proof.Envelope);
        if (firstNote is not null)
            TransparencyLogEntryJson.WriteCheckpoint(json, "firstCheckpoint", firstNote);
        json.WriteEndObject();
    });

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var json = new Utf8JsonWriter(buffer, TransparencyLogEntryJson.Options))
            write(json);
        return buffer.WrittenSpan.ToArray();
    }
}
