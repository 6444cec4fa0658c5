using System.Security.Cryptography;
using System.Text.Json;

namespace RekorPosix.Verification;

/// <summary>
/// Makes a Sigstore bundle (v0.3) of a log's 201 answer alone: the TransparencyLogEntry as the server
/// sent it, and the digest, signature and key (or certificate) read back from its canonical body.
/// Nothing in it is trusted by <see cref="BundleVerifier"/>, which checks the signature against the
/// artifact and key it is given and rebuilds the body, so this needs no secret and no network.
/// </summary>
public static class LogEntryBundle
{
    /// <exception cref="BundleRejectedException">The answer is not a hashedrekord v0.0.2 TransparencyLogEntry.</exception>
    public static byte[] FromResponse(ReadOnlyMemory<byte> response)
    {
        using var document = JsonFields.Document(response, "the entry");
        var entry = document.RootElement;
        var body = JsonFields.Bytes(entry, "canonicalizedBody", "entry");
        using var bodyDocument = JsonFields.Document(body, "the entry's canonicalizedBody");
        var spec = JsonFields.Object(JsonFields.Object(bodyDocument.RootElement, "spec", "body"), "hashedRekordV002", "body.spec");
        var data = JsonFields.Object(spec, "data", "body.spec.hashedRekordV002");
        var signature = JsonFields.Object(spec, "signature", "body.spec.hashedRekordV002");
        var verifier = JsonFields.Object(signature, "verifier", "body.spec.hashedRekordV002.signature");

        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
            json.WriteStartObject("verificationMaterial");
            WriteSigner(json, verifier);
            json.WriteStartArray("tlogEntries");
            entry.WriteTo(json);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject("messageSignature");
            json.WriteStartObject("messageDigest");
            json.WriteString("algorithm", JsonFields.String(data, "algorithm", "body.data"));
            json.WriteBase64String("digest", JsonFields.Bytes(data, "digest", "body.data"));
            json.WriteEndObject();
            json.WriteBase64String("signature", JsonFields.Bytes(signature, "content", "body.signature"));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        output.WriteByte((byte)'\n');
        return output.ToArray();
    }

    /// <summary>The certificate as it is, or a public key's hint (its SHA-256, base64): a bundle never carries the key itself.</summary>
    private static void WriteSigner(Utf8JsonWriter json, JsonElement verifier)
    {
        const string path = "body.signature.verifier";
        if (JsonFields.OptionalObject(verifier, "x509Certificate", path) is { } certificate)
        {
            json.WriteStartObject("certificate");
            json.WriteBase64String("rawBytes", JsonFields.Bytes(certificate, "rawBytes", $"{path}.x509Certificate"));
            json.WriteEndObject();
            return;
        }
        var key = JsonFields.Bytes(JsonFields.Object(verifier, "publicKey", path), "rawBytes", $"{path}.publicKey");
        json.WriteStartObject("publicKey");
        json.WriteString("hint", Convert.ToBase64String(SHA256.HashData(key)));
        json.WriteEndObject();
    }
}
