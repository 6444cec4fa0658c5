using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;

namespace RekorPosix.Signing;

/// <summary>
/// PKCS#8 PBES2 with the scrypt KDF (RFC 7914 §7) and AES-CBC, as `openssl pkcs8 -topk8 -scrypt` writes
/// and Go's youmark/pkcs8 reads. BouncyCastle's PBE layer only knows PBKDF2, so this one case is done here.
/// </summary>
internal static class Pbes2Scrypt
{
    private const string Pbes2Oid = "1.2.840.113549.1.5.13";
    private const string ScryptOid = "1.3.6.1.4.1.11591.4.11";
    private const string What = "ENCRYPTED PRIVATE KEY";

    /// <summary>The plaintext, or null if the key is not scrypt-encrypted.</summary>
    internal static byte[]? TryDecrypt(byte[] der, string password)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.BER);
            AsnReader info = outer.ReadSequence();
            AsnReader algorithm = info.ReadSequence();
            if (algorithm.ReadObjectIdentifier() != Pbes2Oid)
            {
                return null;
            }

            AsnReader pbes2 = algorithm.ReadSequence();
            AsnReader kdf = pbes2.ReadSequence();
            if (kdf.ReadObjectIdentifier() != ScryptOid)
            {
                return null;
            }

            AsnReader scrypt = kdf.ReadSequence();
            byte[] salt = scrypt.ReadOctetString();
            int cost = ReadBoundedInt(scrypt, "cost");
            int blockSize = ReadBoundedInt(scrypt, "block size");
            int parallelism = ReadBoundedInt(scrypt, "parallelization");
            int? keyLength = scrypt.HasData ? ReadBoundedInt(scrypt, "key length") : null;
            AsnReader cipher = pbes2.ReadSequence();
            int aesKeySize = AesKeySize(cipher.ReadObjectIdentifier());
            byte[] iv = cipher.ReadOctetString();
            byte[] ciphertext = info.ReadOctetString();

            if ((keyLength is int length && length != aesKeySize) || iv.Length != 16)
            {
                throw new KeyFileException("malformed ENCRYPTED PRIVATE KEY: key length or IV does not fit AES-CBC");
            }

            byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
            byte[] key = ScryptKdf.Derive(passwordBytes, salt, cost, blockSize, parallelism, aesKeySize, What);
            try
            {
                using var aes = Aes.Create();
                aes.Key = key;
                return aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7);
            }
            catch (CryptographicException e)
            {
                throw DecryptionFailure.WrongPassword(What, password, e);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
                CryptographicOperations.ZeroMemory(passwordBytes);
            }
        }
        catch (AsnContentException e)
        {
            throw new KeyFileException("malformed ENCRYPTED PRIVATE KEY", e);
        }
    }

    private static int AesKeySize(string oid) => oid switch
    {
        "2.16.840.1.101.3.4.1.2" => 16,
        "2.16.840.1.101.3.4.1.22" => 24,
        "2.16.840.1.101.3.4.1.42" => 32,
        _ => throw new KeyFileException($"unsupported cipher {oid} with scrypt in the ENCRYPTED PRIVATE KEY (AES-CBC only)"),
    };

    private static int ReadBoundedInt(AsnReader reader, string what) =>
        reader.TryReadInt32(out int value) && value >= 0
            ? value
            : throw new KeyFileException($"unsupported scrypt {what} in the ENCRYPTED PRIVATE KEY");
}
