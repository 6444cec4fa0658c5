using System.Security.Cryptography;

namespace RekorPosix.Signing;

/// <summary>ASN.1 DER ECDSA verification with the curve's hash; any other signature encoding fails.</summary>
internal sealed class EcdsaNoteVerifier(string name, uint keyId, ECDsa key, HashAlgorithmName hash) : INoteVerifier
{
    public string Name { get; } = name;

    public uint KeyId { get; } = keyId;

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        lock (key)
        {
            try
            {
                return key.VerifyData(message, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
            }
            catch (CryptographicException)
            {
                // Malformed DER is just a bad signature.
                return false;
            }
        }
    }
}
