using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// Verifies a client's signature over a digest the client computed (never re-hashed), the way
/// rekor-tiles does: ECDSA with a DER or r ‖ s signature, RSA always PKCS#1 v1.5, Ed25519 always
/// Ed25519ph with an empty context. Which of these applies depends on the key, not on keyDetails.
/// Stateless, so any number of threads may call it at once.
/// </summary>
public static class ClientSignatureVerifier
{
    /// <summary>Ed25519ph with no context string, as Go's ed25519.Options{Hash: SHA512}.</summary>
    private static readonly byte[] EmptyContext = [];

    /// <summary>
    /// True if <paramref name="signature"/> is valid for <paramref name="digest"/> under
    /// <paramref name="key"/>; otherwise <paramref name="problem"/> says why (for the log only).
    /// <paramref name="digest"/> must already be <paramref name="digestAlgorithm"/>'s size.
    /// </summary>
    public static bool Verify(ClientPublicKey key, DigestAlgorithm digestAlgorithm, ReadOnlySpan<byte> digest,
        ReadOnlySpan<byte> signature, out string problem)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (digestAlgorithm == DigestAlgorithm.None || digest.Length != digestAlgorithm.Size())
            throw new ArgumentException("The digest does not match its algorithm.", nameof(digest));

        return key.Kind switch
        {
            ClientKeyKind.Ecdsa => VerifyEcdsa(key, digest, signature, out problem),
            ClientKeyKind.Rsa => VerifyRsa(key, digestAlgorithm, digest, signature, out problem),
            _ => VerifyEd25519ph(key, digestAlgorithm, digest, signature, out problem),
        };
    }

    private static bool VerifyEcdsa(ClientPublicKey key, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature,
        out string problem)
    {
        var fieldSize = key.Curve!.Value.FieldSize();
        Span<byte> rs = stackalloc byte[2 * fieldSize];
        if (!EcdsaSignatureFormat.TryToFixedWidth(signature, fieldSize, rs, out problem))
            return false;
        // The standard truncation of a digest longer than the group order happens inside.
        if (key.Ecdsa!.VerifyHash(digest, rs, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            return true;
        problem = "crypto/ecdsa: verification error";
        return false;
    }

    private static bool VerifyRsa(ClientPublicKey key, DigestAlgorithm digestAlgorithm, ReadOnlySpan<byte> digest,
        ReadOnlySpan<byte> signature, out string problem)
    {
        // Go requires the signature to be exactly as long as the modulus; some providers pad.
        if (signature.Length != key.RsaModulusBits / 8)
        {
            problem = "crypto/rsa: verification error (signature length differs from modulus length)";
            return false;
        }
        if (key.Rsa!.VerifyHash(digest, signature, digestAlgorithm.ToHashAlgorithmName(), RSASignaturePadding.Pkcs1))
        {
            problem = "";
            return true;
        }
        problem = "crypto/rsa: verification error";
        return false;
    }

    private static bool VerifyEd25519ph(ClientPublicKey key, DigestAlgorithm digestAlgorithm, ReadOnlySpan<byte> digest,
        ReadOnlySpan<byte> signature, out string problem)
    {
        // Ed25519ph signs SHA-512(message); anything else cannot be a prehash.
        if (digestAlgorithm != DigestAlgorithm.Sha512)
        {
            problem = "ed25519: expected message length 64 for Ed25519ph";
            return false;
        }
        if (signature.Length != Ed25519.SignatureSize)
        {
            problem = "ed25519: invalid signature length";
            return false;
        }
        if (key.Ed25519!.Verify(Ed25519.Algorithm.Ed25519ph, EmptyContext, digest, signature))
        {
            problem = "";
            return true;
        }
        problem = "ed25519: invalid signature";
        return false;
    }
}
