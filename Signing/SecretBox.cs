using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace RekorPosix.Signing;

/// <summary>
/// NaCl secretbox opening (XSalsa20 + Poly1305): the box is a 16-byte tag followed by the ciphertext; the first
/// 32 keystream bytes are the one-time Poly1305 key and the message is XORed with the keystream after them.
/// </summary>
internal static class SecretBox
{
    internal const int KeySize = 32;
    internal const int NonceSize = 24;
    private const int TagSize = 16;

    /// <summary>The message, or null if the tag does not authenticate it (wrong key or tampered box).</summary>
    internal static byte[]? Open(byte[] box, byte[] nonce, byte[] key)
    {
        if (box.Length < TagSize || nonce.Length != NonceSize || key.Length != KeySize)
        {
            return null;
        }

        var stream = new XSalsa20Engine();
        stream.Init(false, new ParametersWithIV(new KeyParameter(key), nonce));
        var macKey = new byte[32];
        stream.ProcessBytes(new byte[32], 0, 32, macKey, 0);

        var mac = new Poly1305();
        mac.Init(new KeyParameter(macKey));
        mac.BlockUpdate(box, TagSize, box.Length - TagSize);
        var tag = new byte[TagSize];
        mac.DoFinal(tag, 0);
        CryptographicOperations.ZeroMemory(macKey);
        if (!CryptographicOperations.FixedTimeEquals(tag, box.AsSpan(0, TagSize)))
        {
            return null;
        }

        var message = new byte[box.Length - TagSize];
        stream.ProcessBytes(box, TagSize, message.Length, message, 0);
        return message;
    }
}
