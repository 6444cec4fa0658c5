using System.Security.Cryptography;

namespace RekorPosix.Signing;

/// <summary>The NIST curves a log key may use, and the hash each one signs with (sigstore's defaults).</summary>
internal static class EcdsaCurves
{
    private const string P256 = "1.2.840.10045.3.1.7";
    private const string P384 = "1.3.132.0.34";
    private const string P521 = "1.3.132.0.35";

    /// <summary>The key type for a named NIST curve; a <see cref="KeyFileException"/> for anything else.</summary>
    internal static LogKeyType KeyTypeOf(ECDsa key)
    {
        ECCurve curve = key.ExportParameters(includePrivateParameters: false).Curve;
        if (!curve.IsNamed || curve.Oid?.Value is not string oid)
        {
            throw new KeyFileException("unsupported elliptic curve: explicit curve parameters (only named P-256, P-384 and P-521 are supported)");
        }

        return oid switch
        {
            P256 => LogKeyType.EcdsaP256,
            P384 => LogKeyType.EcdsaP384,
            P521 => LogKeyType.EcdsaP521,
            _ => throw new KeyFileException(
                $"unsupported elliptic curve {curve.Oid.FriendlyName ?? oid} ({oid}); only P-256, P-384 and P-521 are supported"),
        };
    }

    internal static HashAlgorithmName HashFor(LogKeyType type) => type switch
    {
        LogKeyType.EcdsaP256 => HashAlgorithmName.SHA256,
        LogKeyType.EcdsaP384 => HashAlgorithmName.SHA384,
        LogKeyType.EcdsaP521 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an ECDSA key type"),
    };
}
