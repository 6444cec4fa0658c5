using System.Security.Cryptography;

namespace RekorPosix.Signing;

/// <summary>ASN.1 DER ECDSA over the curve's hash of the note text (sigstore's default for the curve).</summary>
internal sealed class EcdsaNoteSigner(string name, uint keyId, ECDsa key, HashAlgorithmName hash) : INoteSigner
{
    public string Name { get; } = name;

    public uint KeyId { get; } = keyId;

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        // The key object is shared with its LogSigningKey; the BCL promises no thread safety for instances.
        lock (key)
        {
            return key.SignData(message, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
    }
}
