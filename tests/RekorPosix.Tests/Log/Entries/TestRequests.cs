using System.Security.Cryptography;
using Google.Protobuf;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Tests.Signing.ClientSignatures;

namespace RekorPosix.Tests.Log.Entries;

/// <summary>Builds CreateEntry requests for tests: valid ones from a signer, and the §3.3 worked example.</summary>
public static class TestRequests
{
    public const string WorkedDigest = "dyj4ednYHjN4/zsjjBeeLahS9slp97Z67LTAVxjrjXw=";
    public const string WorkedSignature = "MEQCIB+YPa9o3SN0sQ4uduGf+mZxwFfOhFZ0Cgy+p7Vt1o2SAiAPFDHqOAJLYmvtCWOsDyNY1H4V3zm4NEDYs3NyvHh1Pg==";
    public const string WorkedPublicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2slOf8eZcj2moW2t4UFj7vCL6QpDzkDqqSUmm4OJCVvIauKLxm0aGs3VMPPfauMPaMutn0/s3jg0rroFxoicyg==";

    /// <summary>The worked example as sigstore-go would send it.</summary>
    public static string WorkedExampleJson(string keyDetails = "\"PKIX_ECDSA_P256_SHA_256\"") =>
        "{\"hashedRekordRequestV002\":{\"digest\":\"" + WorkedDigest + "\",\"signature\":{\"content\":\"" + WorkedSignature
        + "\",\"verifier\":{\"publicKey\":{\"rawBytes\":\"" + WorkedPublicKey + "\"},\"keyDetails\":" + keyDetails + "}}}}";

    public static CreateEntryRequest WorkedExample() => Create(
        Convert.FromBase64String(WorkedDigest), Convert.FromBase64String(WorkedSignature),
        PublicKeyVerifier(Convert.FromBase64String(WorkedPublicKey), PublicKeyDetails.PkixEcdsaP256Sha256));

    public static byte[] Digest(DigestAlgorithmSize size, string artifact = "artifact") => size switch
    {
        DigestAlgorithmSize.Sha256 => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(artifact)),
        DigestAlgorithmSize.Sha384 => SHA384.HashData(System.Text.Encoding.UTF8.GetBytes(artifact)),
        _ => SHA512.HashData(System.Text.Encoding.UTF8.GetBytes(artifact)),
    };

    public static Verifier PublicKeyVerifier(byte[] spki, PublicKeyDetails keyDetails) => new()
    {
        PublicKey = new PublicKey { RawBytes = ByteString.CopyFrom(spki) },
        KeyDetails = keyDetails,
    };

    public static Verifier CertificateVerifier(byte[] certificate, PublicKeyDetails keyDetails) => new()
    {
        X509Certificate = new X509Certificate { RawBytes = ByteString.CopyFrom(certificate) },
        KeyDetails = keyDetails,
    };

    public static CreateEntryRequest Create(byte[] digest, byte[] signature, Verifier verifier) => new()
    {
        HashedRekordRequestV002 = new HashedRekordRequestV002
        {
            Digest = ByteString.CopyFrom(digest),
            Signature = new Signature { Content = ByteString.CopyFrom(signature), Verifier = verifier },
        },
    };

    /// <summary>A request the signer made properly over a digest of the given size.</summary>
    public static CreateEntryRequest Signed(TestSigner signer, PublicKeyDetails keyDetails, DigestAlgorithmSize size,
        bool certificate = false, bool p1363 = false)
    {
        var digest = Digest(size);
        var verifier = certificate
            ? CertificateVerifier(signer.CertificateDer(), keyDetails)
            : PublicKeyVerifier(signer.PublicKeyDer(), keyDetails);
        return Create(digest, signer.SignDigest(digest, p1363), verifier);
    }
}

/// <summary>Digest sizes, to keep the test data free of the production enum.</summary>
public enum DigestAlgorithmSize
{
    Sha256,
    Sha384,
    Sha512,
}
