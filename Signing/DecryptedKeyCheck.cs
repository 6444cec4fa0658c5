using System.Formats.Asn1;

namespace RekorPosix.Signing;

/// <summary>
/// CBC padding catches most wrong passwords, but about one in 256 decrypts to garbage with valid padding.
/// A real key is one DER SEQUENCE spanning the whole plaintext; garbage almost never is.
/// </summary>
internal static class DecryptedKeyCheck
{
    internal static void ThrowIfGarbage(byte[] plaintext, string what, string password)
    {
        try
        {
            var reader = new AsnReader(plaintext, AsnEncodingRules.BER);
            _ = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
        }
        catch (AsnContentException e)
        {
            throw DecryptionFailure.WrongPassword(what, password, e);
        }
    }
}
