using System.Security.Cryptography;

namespace RekorPosix.Signing;

/// <summary>RSASSA-PKCS1-v1_5 with SHA-256 over the note text, whatever the key size (sigstore's RSA default).</summary>
internal sealed class RsaNoteSigner(string name, uint keyId, RSA key) : INoteSigner
{
    public string Name { get; } = name;

    public uint KeyId { get; } = keyId;

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        lock (key)
        {
            return key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }
}
