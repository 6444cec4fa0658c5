using System.Security.Cryptography;

namespace RekorPosix.Signing;

/// <summary>RSASSA-PKCS1-v1_5 with SHA-256 verification.</summary>
internal sealed class RsaNoteVerifier(string name, uint keyId, RSA key) : INoteVerifier
{
    public string Name { get; } = name;

    public uint KeyId { get; } = keyId;

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        lock (key)
        {
            try
            {
                return key.VerifyData(message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }
            catch (CryptographicException)
            {
                return false;
            }
        }
    }
}
