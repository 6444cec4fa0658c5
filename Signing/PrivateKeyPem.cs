using System.Security.Cryptography;

namespace RekorPosix.Signing;

/// <summary>
/// Reads a log's private key from PEM the way sigstore's UnmarshalPEMToPrivateKey does (rekor-v2-api.md §5.4):
/// first block only; PKCS#8 (plain or encrypted), PKCS#1 or SEC 1, optionally with legacy RFC 1423 encryption.
/// </summary>
internal static class PrivateKeyPem
{
    internal static LogSigningKey Load(string pem, string? password)
    {
        PemBlock block = PemBlock.ReadFirst(pem);
        Func<byte[], LogSigningKey> decode = block.Label switch
        {
            "PRIVATE KEY" => Pkcs8PrivateKey.Load,
            "ENCRYPTED PRIVATE KEY" => der => Pkcs8PrivateKey.Load(EncryptedPkcs8.Decrypt(der, RequirePassword(password, block.Label))),
            "RSA PRIVATE KEY" => LoadPkcs1,
            "EC PRIVATE KEY" => LoadSec1,
            _ => throw new KeyFileException($"unknown private key PEM file type: {block.Label}"),
        };

        if (!LegacyPemEncryption.IsEncrypted(block))
        {
            return decode(block.Data);
        }

        byte[] der = LegacyPemEncryption.Decrypt(block, RequirePassword(password, block.Label));
        try
        {
            return decode(der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    private static string RequirePassword(string? password, string label) =>
        string.IsNullOrEmpty(password)
            ? throw new KeyFileException($"the {label} is encrypted: a password is needed to decrypt it")
            : password;

    private static LogSigningKey LoadPkcs1(byte[] der)
    {
        var key = RSA.Create();
        try
        {
            key.ImportRSAPrivateKey(der, out int read);
            Pkcs8PrivateKey.CheckConsumed(read, der.Length, "RSA");
            return LogSigningKey.FromRsa(key);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new KeyFileException($"malformed PKCS#1 RSA private key: {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static LogSigningKey LoadSec1(byte[] der)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportECPrivateKey(der, out int read);
            Pkcs8PrivateKey.CheckConsumed(read, der.Length, "EC");
            return LogSigningKey.FromEcdsa(key);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new KeyFileException($"malformed or unsupported SEC 1 EC private key: {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
