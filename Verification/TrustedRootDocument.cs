using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using RekorPosix.Signing;

namespace RekorPosix.Verification;

/// <summary>
/// Writes a Sigstore TrustedRoot for a log of one's own (a lab, an offline site): the log's key and
/// origin, and optionally a CA's and a TSA's chains, for <c>verify-bundle</c> and for Sigstore
/// clients. The log's URL is https://ORIGIN, since a Rekor v2 client takes the checkpoint origin
/// from the log's host name. https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto
/// </summary>
public static class TrustedRootDocument
{
    public static byte[] Write(string origin, LogPublicKey logKey, DateTimeOffset logStart,
        IReadOnlyList<X509Certificate2> certificateChain, IReadOnlyList<X509Certificate2> timestampChain)
    {
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
            json.WriteStartArray("tlogs");
            json.WriteStartObject();
            json.WriteString("baseUrl", $"https://{origin}");
            json.WriteString("hashAlgorithm", "SHA2_256");
            json.WriteStartObject("publicKey");
            json.WriteBase64String("rawBytes", logKey.SubjectPublicKeyInfo);
            json.WriteString("keyDetails", KeyDetails(logKey));
            WriteValidFor(json, logStart);
            json.WriteEndObject();
            json.WriteStartObject("logId");
            json.WriteBase64String("keyId", logKey.LogId(origin));
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            WriteAuthorities(json, "certificateAuthorities", certificateChain);
            WriteAuthorities(json, "timestampAuthorities", timestampChain);
            json.WriteEndObject();
        }
        output.WriteByte((byte)'\n');
        return output.ToArray();
    }

    /// <summary>The protobuf-specs PublicKeyDetails name of a log key.</summary>
    private static string KeyDetails(LogPublicKey key) => key.KeyType switch
    {
        LogKeyType.Ed25519 => "PKIX_ED25519",
        LogKeyType.EcdsaP256 => "PKIX_ECDSA_P256_SHA_256",
        LogKeyType.EcdsaP384 => "PKIX_ECDSA_P384_SHA_384",
        LogKeyType.EcdsaP521 => "PKIX_ECDSA_P521_SHA_512",
        _ => $"PKIX_RSA_PKCS1V15_{RsaBits(key).ToString(CultureInfo.InvariantCulture)}_SHA256",
    };

    private static int RsaBits(LogPublicKey key)
    {
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
        return rsa.KeySize;
    }

    /// <summary>One authority for a chain (leaf-most first, root last), valid from its root's start.</summary>
    private static void WriteAuthorities(Utf8JsonWriter json, string name, IReadOnlyList<X509Certificate2> chain)
    {
        json.WriteStartArray(name);
        if (chain.Count > 0)
        {
            json.WriteStartObject();
            json.WriteStartObject("subject");
            json.WriteString("commonName", chain[0].GetNameInfo(X509NameType.SimpleName, forIssuer: false));
            json.WriteEndObject();
            json.WriteStartObject("certChain");
            json.WriteStartArray("certificates");
            foreach (var certificate in chain)
            {
                json.WriteStartObject();
                json.WriteBase64String("rawBytes", certificate.RawData);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            WriteValidFor(json, new DateTimeOffset(chain[^1].NotBefore.ToUniversalTime()));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteValidFor(Utf8JsonWriter json, DateTimeOffset start)
    {
        json.WriteStartObject("validFor");
        json.WriteString("start", start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }
}
