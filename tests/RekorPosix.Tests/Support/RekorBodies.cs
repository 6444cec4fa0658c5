using System.Security.Cryptography;
using Google.Protobuf;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;

namespace RekorPosix.Tests.Support;

/// <summary>hashedrekord v0.0.2 entry bodies as a log stores them (Log/Entries/CanonicalBody), and dsse ones written by hand.</summary>
public static class RekorBodies
{
    /// <summary>A distinct SHA-256 digest per <paramref name="seed"/>.</summary>
    public static byte[] Digest(int seed) => SHA256.HashData(BitConverter.GetBytes(seed));

    public static byte[] WithCertificate(byte[] certificate, byte[] digest) =>
        Build(digest, new Verifier { X509Certificate = new Protos.CommonV1.X509Certificate { RawBytes = ByteString.CopyFrom(certificate) } });

    public static byte[] WithKey(byte[] subjectPublicKeyInfo, byte[] digest) =>
        Build(digest, new Verifier { PublicKey = new Protos.RekorV2.PublicKey { RawBytes = ByteString.CopyFrom(subjectPublicKeyInfo) } });

    /// <summary>A dsse v0.0.2 body as older servers wrote it: payloadHash and the signatures' verifiers.</summary>
    public static byte[] Dsse(byte[] payloadHash, params byte[][] certificates)
    {
        var signatures = certificates.Select(c =>
            "{\"content\":\"" + Convert.ToBase64String(new byte[70]) + "\",\"verifier\":{\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\"," +
            "\"x509Certificate\":{\"rawBytes\":\"" + Convert.ToBase64String(c) + "\"}}}");
        return System.Text.Encoding.UTF8.GetBytes(
            "{\"apiVersion\":\"0.0.2\",\"kind\":\"dsse\",\"spec\":{\"dsseV002\":{\"payloadHash\":{\"algorithm\":\"SHA2_256\",\"digest\":\"" +
            Convert.ToBase64String(payloadHash) + "\"},\"signatures\":[" + string.Join(",", signatures) + "]}}}");
    }

    private static byte[] Build(byte[] digest, Verifier verifier)
    {
        verifier.KeyDetails = PublicKeyDetails.PkixEcdsaP256Sha256;
        // The monitor does not check signatures: any bytes stand for one.
        var signature = new Signature { Content = ByteString.CopyFrom(SHA256.HashData(digest).Concat(digest).ToArray()), Verifier = verifier };
        return CanonicalBody.Build(new HashOutput { Algorithm = Protos.CommonV1.HashAlgorithm.Sha2256, Digest = ByteString.CopyFrom(digest) }, signature);
    }
}
