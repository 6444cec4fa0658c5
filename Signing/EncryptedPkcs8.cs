using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace RekorPosix.Signing;

/// <summary>
/// Decrypts a PKCS#8 EncryptedPrivateKeyInfo: PBES2 with scrypt here, everything else (PBES2 with PBKDF2 and
/// AES/3DES, PKCS#12 and PKCS#5 v1 schemes) by BouncyCastle.
/// </summary>
internal static class EncryptedPkcs8
{
    private const string What = "ENCRYPTED PRIVATE KEY";

    internal static byte[] Decrypt(byte[] der, string password)
    {
        byte[] plaintext = Pbes2Scrypt.TryDecrypt(der, password) ?? DecryptWithBouncyCastle(der, password);
        DecryptedKeyCheck.ThrowIfGarbage(plaintext, What, password);
        return plaintext;
    }

    private static byte[] DecryptWithBouncyCastle(byte[] der, string password)
    {
        EncryptedPrivateKeyInfo info;
        try
        {
            info = EncryptedPrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(der));
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException)
        {
            throw new KeyFileException($"malformed {What}", e);
        }

        try
        {
            return PrivateKeyInfoFactory.CreatePrivateKeyInfo(password.ToCharArray(), info).GetEncoded(Asn1Encodable.Der);
        }
        catch (SecurityUtilityException e)
        {
            throw new KeyFileException(
                $"unsupported {What} encryption {info.EncryptionAlgorithm.Algorithm.Id}: {e.Message}", e);
        }
        catch (InvalidCipherTextException e)
        {
            throw DecryptionFailure.WrongPassword(What, password, e);
        }
        catch (Exception e) when (e is CryptoException or IOException or ArgumentException
            or InvalidCastException or InvalidOperationException)
        {
            throw new KeyFileException($"cannot decrypt the {What}: wrong password, corrupt data or unsupported parameters ({e.Message})", e);
        }
    }
}
