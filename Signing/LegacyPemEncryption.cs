using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Paddings;
using Org.BouncyCastle.Crypto.Parameters;

namespace RekorPosix.Signing;

/// <summary>
/// RFC 1423 PEM encryption ("Proc-Type: 4,ENCRYPTED" + "DEK-Info"), as `openssl genrsa -aes256 -traditional`
/// writes and Go's x509.DecryptPEMBlock reads: OpenSSL's EVP_BytesToKey (MD5, one round, salt = first 8 IV
/// bytes) and a CBC cipher. Weak by design; supported only so existing key files keep working.
/// </summary>
internal static class LegacyPemEncryption
{
    internal static bool IsEncrypted(PemBlock block) =>
        block.Headers.TryGetValue("Proc-Type", out string? procType)
        && procType.Replace(" ", string.Empty, StringComparison.Ordinal).Equals("4,ENCRYPTED", StringComparison.OrdinalIgnoreCase);

    internal static byte[] Decrypt(PemBlock block, string password)
    {
        if (!block.Headers.TryGetValue("DEK-Info", out string? dekInfo))
        {
            throw new KeyFileException($"encrypted PEM block {block.Label} has no DEK-Info header");
        }

        int comma = dekInfo.IndexOf(',', StringComparison.Ordinal);
        string cipherName = comma < 0 ? dekInfo : dekInfo[..comma].Trim();
        (int keySize, Func<IBlockCipher> engine) = cipherName.ToUpperInvariant() switch
        {
            "DES-CBC" => (8, (Func<IBlockCipher>)(() => new DesEngine())),
            "DES-EDE3-CBC" => (24, () => new DesEdeEngine()),
            "AES-128-CBC" => (16, () => new AesEngine()),
            "AES-192-CBC" => (24, () => new AesEngine()),
            "AES-256-CBC" => (32, () => new AesEngine()),
            _ => throw new KeyFileException($"unsupported PEM encryption {cipherName} in {block.Label}"),
        };

        IBlockCipher cipher = engine();
        byte[] iv;
        try
        {
            iv = comma < 0 ? [] : Convert.FromHexString(dekInfo[(comma + 1)..].Trim());
        }
        catch (FormatException e)
        {
            throw new KeyFileException($"malformed DEK-Info IV in {block.Label}", e);
        }

        if (iv.Length != cipher.GetBlockSize())
        {
            throw new KeyFileException($"malformed DEK-Info in {block.Label}: IV must be {cipher.GetBlockSize()} bytes");
        }

        byte[] key = DeriveKey(Encoding.UTF8.GetBytes(password), iv.AsSpan(0, 8), keySize);
        var cbc = new PaddedBufferedBlockCipher(new CbcBlockCipher(cipher), new Pkcs7Padding());
        cbc.Init(false, new ParametersWithIV(new KeyParameter(key), iv));
        CryptographicOperations.ZeroMemory(key);
        byte[] plaintext;
        try
        {
            plaintext = cbc.DoFinal(block.Data);
        }
        catch (Exception e) when (e is InvalidCipherTextException or DataLengthException)
        {
            throw DecryptionFailure.WrongPassword(block.Label, password, e);
        }

        DecryptedKeyCheck.ThrowIfGarbage(plaintext, block.Label, password);
        return plaintext;
    }

    // EVP_BytesToKey with MD5 and one iteration: D1 = MD5(pw ‖ salt), Di = MD5(Di-1 ‖ pw ‖ salt).
    private static byte[] DeriveKey(byte[] password, ReadOnlySpan<byte> salt, int keySize)
    {
        var digest = new MD5Digest();
        var key = new byte[keySize];
        var block = new byte[digest.GetDigestSize()];
        int filled = 0;
        bool first = true;
        while (filled < keySize)
        {
            if (!first)
            {
                digest.BlockUpdate(block);
            }

            first = false;
            digest.BlockUpdate(password);
            digest.BlockUpdate(salt);
            digest.DoFinal(block);
            int take = Math.Min(block.Length, keySize - filled);
            block.AsSpan(0, take).CopyTo(key.AsSpan(filled));
            filled += take;
        }

        CryptographicOperations.ZeroMemory(block);
        CryptographicOperations.ZeroMemory(password);
        return key;
    }
}
