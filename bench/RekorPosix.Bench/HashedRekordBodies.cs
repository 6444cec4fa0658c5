using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using HashAlgorithm = RekorPosix.Protos.CommonV1.HashAlgorithm;

namespace RekorPosix.Bench;

/// <summary>
/// hashedrekord v0.0.2 bodies as a log stores them, for the monitor's bench: each signed (in
/// appearance: the monitor checks no client signature) with a Fulcio-style certificate from a pool,
/// its identity an email in the SubjectAlternativeName and its issuer in Fulcio's 1.3.6.1.4.1.57264.1.8
/// extension; a unique digest per index. About 900 bytes each, as public-good entries are.
/// </summary>
public sealed class HashedRekordBodies
{
    public const int Identities = 64;
    public const string Issuer = "https://accounts.example.com";

    private readonly Verifier[] _verifiers;
    private readonly byte[] _signature = RandomNumberGenerator.GetBytes(71);

    public HashedRekordBodies()
    {
        _verifiers = Enumerable.Range(0, Identities).Select(i => new Verifier
        {
            X509Certificate = new Protos.CommonV1.X509Certificate { RawBytes = ByteString.CopyFrom(Certificate(Email(i))) },
            KeyDetails = PublicKeyDetails.PkixEcdsaP256Sha256,
        }).ToArray();
    }

    /// <summary>The identity of the entries whose index is <paramref name="identity"/> modulo <see cref="Identities"/>.</summary>
    public static string Email(int identity) => $"user{identity}@example.com";

    public byte[] At(long index)
    {
        Span<byte> seed = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(seed, index);
        var data = new HashOutput { Algorithm = HashAlgorithm.Sha2256, Digest = ByteString.CopyFrom(SHA256.HashData(seed)) };
        var signature = new Signature { Content = UnsafeByteOperations.UnsafeWrap(_signature), Verifier = _verifiers[index % Identities] };
        return CanonicalBody.Build(data, signature);
    }

    private static byte[] Certificate(string email)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddEmailAddress(email);
        request.CertificateExtensions.Add(names.Build(critical: true));
        var issuer = new AsnWriter(AsnEncodingRules.DER);
        issuer.WriteCharacterString(UniversalTagNumber.UTF8String, Issuer);
        request.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.57264.1.8", issuer.Encode(), critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now, now.AddMinutes(10));
        return certificate.RawData;
    }
}
