using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;

namespace RekorPosix.Bench;

/// <summary>
/// A signer as Fulcio makes one: a fresh P-256 key and a short-lived certificate for it, signed by
/// an issuer key. It signs hashedrekord requests until its certificate expires.
/// </summary>
public sealed class FulcioIdentity : IDisposable
{
    /// <summary>Fulcio's certificates live ten minutes.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ECDsa _key;
    private readonly Verifier _verifier;

    private FulcioIdentity(ECDsa key, Verifier verifier, DateTimeOffset notAfter)
    {
        _key = key;
        _verifier = verifier;
        NotAfter = notAfter;
    }

    public DateTimeOffset NotAfter { get; }

    public static FulcioIdentity Issue(ECDsa issuer)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=sigstore", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(new X500DistinguishedName("CN=sigstore-intermediate"),
            X509SignatureGenerator.CreateForECDsa(issuer), now, now + Lifetime, RandomNumberGenerator.GetBytes(16));
        var verifier = new Verifier
        {
            X509Certificate = new Protos.CommonV1.X509Certificate { RawBytes = ByteString.CopyFrom(certificate.RawData) },
            KeyDetails = PublicKeyDetails.PkixEcdsaP256Sha256,
        };
        return new FulcioIdentity(key, verifier, now + Lifetime);
    }

    /// <summary>The protojson body of a request logging this artifact, signed with this identity's key.</summary>
    public byte[] SignedRequest(byte[] artifact)
    {
        byte[] digest = SHA256.HashData(artifact);
        return RequestMix.Json(digest, _key.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence), _verifier);
    }

    public void Dispose() => _key.Dispose();
}
