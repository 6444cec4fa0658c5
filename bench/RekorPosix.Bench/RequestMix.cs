using System.Security.Cryptography;
using Google.Protobuf;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;

namespace RekorPosix.Bench;

/// <summary>
/// Builds real, validly signed hashedrekord requests the way clients make them. "fulcio" is what
/// the public log mostly sees: a fresh P-256 key and a short-lived certificate for every entry.
/// </summary>
public static class RequestMix
{
    public static readonly string[] Names = ["fulcio", "pubkey-p256", "p384", "rsa", "ed25519ph", "mixed"];

    /// <summary>The protojson bodies, made before the measured phase so that generation costs nothing there.</summary>
    public static List<byte[]> Build(string mix, int count)
    {
        var bodies = new byte[count][];
        using var issuer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = mix is "rsa" or "mixed" ? RSA.Create(2048) : null;
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Parallel.For(0, count, i =>
        {
            string kind = mix == "mixed" ? Names[i % (Names.Length - 1)] : mix;
            byte[] artifact = RandomNumberGenerator.GetBytes(32);
            bodies[i] = kind switch
            {
                "fulcio" => Fulcio(issuer, artifact),
                "pubkey-p256" => Ecdsa(p256, HashAlgorithmName.SHA256, SHA256.HashData(artifact), PublicKeyDetails.PkixEcdsaP256Sha256),
                "p384" => FreshEcdsa(ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, SHA384.HashData(artifact), PublicKeyDetails.PkixEcdsaP384Sha384),
                "rsa" => Rsa(rsa!, SHA256.HashData(artifact)),
                "ed25519ph" => Ed25519ph(SHA512.HashData(artifact)),
                _ => throw new ArgumentException($"unknown mix {kind}; one of {string.Join(", ", Names)}"),
            };
        });
        return [.. bodies];
    }

    private static byte[] Fulcio(ECDsa issuer, byte[] artifact)
    {
        using var identity = FulcioIdentity.Issue(issuer);
        return identity.SignedRequest(artifact);
    }

    private static byte[] FreshEcdsa(ECCurve curve, HashAlgorithmName hash, byte[] digest, PublicKeyDetails details)
    {
        using var key = ECDsa.Create(curve);
        return Ecdsa(key, hash, digest, details);
    }

    private static byte[] Ecdsa(ECDsa key, HashAlgorithmName hash, byte[] digest, PublicKeyDetails details) =>
        Json(digest, key.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence), PublicKey(key.ExportSubjectPublicKeyInfo(), details));

    private static byte[] Rsa(RSA key, byte[] digest) =>
        Json(digest, key.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            PublicKey(key.ExportSubjectPublicKeyInfo(), PublicKeyDetails.PkixRsaPkcs1V152048Sha256));

    private static byte[] Ed25519ph(byte[] digest)
    {
        var key = new Ed25519PrivateKeyParameters(new SecureRandom());
        return Json(digest, PrehashedSign(key, digest), PublicKey(
            Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key.GeneratePublicKey()).GetDerEncoded(),
            PublicKeyDetails.PkixEd25519Ph));
    }

    /// <summary>Ed25519ph over the client's SHA-512 digest: the digest is the prehash.</summary>
    private static byte[] PrehashedSign(Ed25519PrivateKeyParameters key, byte[] prehash)
    {
        byte[] signature = new byte[Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.SignatureSize];
        key.Sign(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519ph, [], prehash, 0, prehash.Length, signature, 0);
        return signature;
    }

    private static Verifier PublicKey(byte[] spki, PublicKeyDetails details) => new()
    {
        PublicKey = new RekorPosix.Protos.RekorV2.PublicKey { RawBytes = ByteString.CopyFrom(spki) },
        KeyDetails = details,
    };

    internal static byte[] Json(byte[] digest, byte[] signature, Verifier verifier)
    {
        var request = new CreateEntryRequest
        {
            HashedRekordRequestV002 = new HashedRekordRequestV002
            {
                Digest = ByteString.CopyFrom(digest),
                Signature = new Signature { Content = ByteString.CopyFrom(signature), Verifier = verifier },
            },
        };
        return System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(request));
    }
}
