using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Tests.Log.Entries;

namespace RekorPosix.Tests.Http;

/// <summary>A valid, properly signed request whose canonical body exceeds 65,535 bytes: the
/// certificate carries a large (otherwise meaningless) extension.</summary>
public static class HugeCertificateRequest
{
    public static string Json()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=huge", key, HashAlgorithmName.SHA256);
        csr.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.57264.99.1", EncodeOctets(new byte[60_000]), critical: false));
        using var certificate = csr.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        byte[] digest = TestRequests.Digest(DigestAlgorithmSize.Sha256, Guid.NewGuid().ToString());
        byte[] signature = key.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);
        var request = TestRequests.Create(digest, signature,
            TestRequests.CertificateVerifier(certificate.RawData, PublicKeyDetails.PkixEcdsaP256Sha256));
        return JsonFormatter.Default.Format(request);
    }

    private static byte[] EncodeOctets(byte[] content)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        writer.WriteOctetString(content);
        return writer.Encode();
    }
}
