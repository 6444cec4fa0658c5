using System.Security.Cryptography;
using HashAlgorithm = RekorPosix.Protos.CommonV1.HashAlgorithm;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// The hash a client signed over, as sigstore's algorithm registry derives it from keyDetails.
/// <see cref="None"/> is what pure Ed25519 maps to (Go's crypto.Hash(0)).
/// </summary>
public enum DigestAlgorithm
{
    None = 0,
    Sha256,
    Sha384,
    Sha512,
}

public static class DigestAlgorithmExtensions
{
    /// <summary>Digest length in bytes; 0 for <see cref="DigestAlgorithm.None"/>.</summary>
    public static int Size(this DigestAlgorithm digest) => digest switch
    {
        DigestAlgorithm.Sha256 => 32,
        DigestAlgorithm.Sha384 => 48,
        DigestAlgorithm.Sha512 => 64,
        _ => 0,
    };

    /// <summary>The name Go's crypto.Hash prints, used in the detailed (logged) refusal reasons.</summary>
    public static string GoName(this DigestAlgorithm digest) => digest switch
    {
        DigestAlgorithm.Sha256 => "SHA-256",
        DigestAlgorithm.Sha384 => "SHA-384",
        DigestAlgorithm.Sha512 => "SHA-512",
        _ => "unknown hash value 0",
    };

    /// <summary>The <c>data.algorithm</c> value of the stored entry.</summary>
    public static HashAlgorithm ToProto(this DigestAlgorithm digest) => digest switch
    {
        DigestAlgorithm.Sha256 => HashAlgorithm.Sha2256,
        DigestAlgorithm.Sha384 => HashAlgorithm.Sha2384,
        DigestAlgorithm.Sha512 => HashAlgorithm.Sha2512,
        _ => HashAlgorithm.Unspecified,
    };

    public static HashAlgorithmName ToHashAlgorithmName(this DigestAlgorithm digest) => digest switch
    {
        DigestAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        DigestAlgorithm.Sha384 => HashAlgorithmName.SHA384,
        DigestAlgorithm.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(digest), digest, "No hash function."),
    };
}
