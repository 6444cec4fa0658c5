using System.Security.Cryptography;

namespace RekorPosix.Signing;

/// <summary>
/// Reads a log's private key from PEM the way sigstore's UnmarshalPEMToPrivateKey does (rekor-v2-api.md §5.4):
/// first block only; PKCS#8 (plain or encrypted), PKCS#1, SEC 1 or the cosign format, optionally with legacy
/// RFC 1423 encryption.
/// </summary>
internal static class PrivateKeyPem
{
    internal static LogSigningKey Load(string pem, string? password)
    {
        PemBlock block = PemBlock.ReadFirst(pem);
        string label = block.Label;
        Func<byte[], LogSigningKey> decode = label switch
        {
            "PRIVATE KEY" => Pkcs8PrivateKey.Load,
            "ENCRYPTED PRIVATE KEY" => der => Pkcs8PrivateKey.Load(EncryptedPkcs8.Decrypt(der, RequirePassword(password, label))),
            CosignEncryptedKey.SigstoreLabel or CosignEncryptedKey.CosignLabel =>
                der => Pkcs8PrivateKey.Load(CosignEncryptedKey.Decrypt(der, RequirePassword(password, label), label)),
            "RSA PRIVATE KEY" => LoadPkcs1,
            "EC PRIVATE KEY" => LoadSec1,
            _ => throw new KeyFileException($"unknown private key PEM file type: {label}"),
        };

        if (!LegacyPemEncryption.IsEncrypted(block))
        {
            return decode(block.Data);
        }

        byte[] der = LegacyPemEncryption.Decrypt(block, RequirePassword(password, label));
        try
        {
            return decode(der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    // Null means no password was given at all; an empty one is tried, as the Go server passes "" by default.
    private static string RequirePassword(string? password, string label) =>
        password ?? throw new KeyFileException($"the {label} is encrypted: a password is needed to decrypt it");

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
        // An unknown named curve is PlatformNotSupportedException, not CryptographicException.
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
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
