using RekorPosix.Protos.CommonV1;
using static RekorPosix.Signing.ClientSignatures.ClientKeyKind;
using static RekorPosix.Signing.ClientSignatures.DigestAlgorithm;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// sigstore's table of known signature algorithms (sigstore/sigstore v1.10.9 algorithm registry).
/// keyDetails values outside it (UNSPECIFIED, the deprecated PKCS1/PSS/HMAC ones, LMS, ML-DSA) have
/// no details, so a request naming them is refused.
/// </summary>
public static class SignatureAlgorithmRegistry
{
    public static IReadOnlyList<SignatureAlgorithm> All { get; } =
    [
        new(PublicKeyDetails.PkixRsaPkcs1V152048Sha256, "rsa-sign-pkcs1-2048-sha256", Rsa, Sha256, RsaModulusBits: 2048),
        new(PublicKeyDetails.PkixRsaPkcs1V153072Sha256, "rsa-sign-pkcs1-3072-sha256", Rsa, Sha256, RsaModulusBits: 3072),
        new(PublicKeyDetails.PkixRsaPkcs1V154096Sha256, "rsa-sign-pkcs1-4096-sha256", Rsa, Sha256, RsaModulusBits: 4096),
        new(PublicKeyDetails.PkixRsaPss2048Sha256, "rsa-sign-pss-2048-sha256", Rsa, Sha256, RsaModulusBits: 2048),
        new(PublicKeyDetails.PkixRsaPss3072Sha256, "rsa-sign-pss-3072-sha256", Rsa, Sha256, RsaModulusBits: 3072),
        new(PublicKeyDetails.PkixRsaPss4096Sha256, "rsa-sign-pss-4096-sha256", Rsa, Sha256, RsaModulusBits: 4096),
        new(PublicKeyDetails.PkixEcdsaP256Sha256, "ecdsa-sha2-256-nistp256", Ecdsa, Sha256, Curve: NistCurve.P256),
        new(PublicKeyDetails.PkixEcdsaP384Sha384, "ecdsa-sha2-384-nistp384", Ecdsa, Sha384, Curve: NistCurve.P384),
        new(PublicKeyDetails.PkixEcdsaP384Sha256, "ecdsa-sha2-256-nistp384", Ecdsa, Sha256, Curve: NistCurve.P384),
        new(PublicKeyDetails.PkixEcdsaP521Sha512, "ecdsa-sha2-512-nistp521", Ecdsa, Sha512, Curve: NistCurve.P521),
        new(PublicKeyDetails.PkixEcdsaP521Sha256, "ecdsa-sha2-256-nistp521", Ecdsa, Sha256, Curve: NistCurve.P521),
        new(PublicKeyDetails.PkixEd25519, "ed25519", ClientKeyKind.Ed25519, None),
        new(PublicKeyDetails.PkixEd25519Ph, "ed25519-ph", ClientKeyKind.Ed25519, Sha512),
    ];

    /// <summary>sigstore's <c>GetAlgorithmDetails</c>.</summary>
    public static SignatureAlgorithm? Find(PublicKeyDetails details) =>
        All.FirstOrDefault(algorithm => algorithm.Details == details);

    /// <summary>sigstore's <c>ParseSignatureAlgorithmFlag</c>: exact, case-sensitive names.</summary>
    public static SignatureAlgorithm? FindByFlagName(string flagName) =>
        All.FirstOrDefault(algorithm => algorithm.FlagName == flagName);
}
