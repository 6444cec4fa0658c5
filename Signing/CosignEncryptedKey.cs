using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RekorPosix.Signing;

/// <summary>
/// The cosign key format ("ENCRYPTED SIGSTORE PRIVATE KEY", formerly "ENCRYPTED COSIGN PRIVATE KEY"):
/// go-securesystemslib's JSON envelope, scrypt key derivation and a NaCl secretbox around PKCS#8 DER.
/// </summary>
internal static class CosignEncryptedKey
{
    internal const string SigstoreLabel = "ENCRYPTED SIGSTORE PRIVATE KEY";
    internal const string CosignLabel = "ENCRYPTED COSIGN PRIVATE KEY";

    internal static byte[] Decrypt(byte[] envelope, string password, string label)
    {
        byte[] salt, nonce, box;
        long cost, blockSize, parallelism;
        try
        {
            using JsonDocument document = JsonDocument.Parse(envelope);
            JsonElement root = document.RootElement;
            JsonElement kdf = root.GetProperty("kdf");
            JsonElement cipher = root.GetProperty("cipher");
            if (kdf.GetProperty("name").GetString() != "scrypt" || cipher.GetProperty("name").GetString() != "nacl/secretbox")
            {
                throw new KeyFileException($"unsupported {label}: only scrypt with nacl/secretbox is known");
            }

            JsonElement parameters = kdf.GetProperty("params");
            cost = parameters.GetProperty("N").GetInt64();
            blockSize = parameters.GetProperty("r").GetInt64();
            parallelism = parameters.GetProperty("p").GetInt64();
            salt = kdf.GetProperty("salt").GetBytesFromBase64();
            nonce = cipher.GetProperty("nonce").GetBytesFromBase64();
            box = root.GetProperty("ciphertext").GetBytesFromBase64();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new KeyFileException($"malformed {label}: not the cosign JSON envelope", e);
        }

        if (nonce.Length != SecretBox.NonceSize)
        {
            throw new KeyFileException($"malformed {label}: the nonce must be {SecretBox.NonceSize} bytes");
        }

        byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
        byte[] key = ScryptKdf.Derive(passwordBytes, salt, cost, blockSize, parallelism, SecretBox.KeySize, label);
        try
        {
            // The box is authenticated, so a wrong password is always caught here.
            return SecretBox.Open(box, nonce, key)
                ?? throw DecryptionFailure.WrongPassword(label, password, new CryptographicException("secretbox authentication failed"));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }
}
