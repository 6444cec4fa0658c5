using System.Formats.Asn1;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace RekorPosix.Signing;

/// <summary>Turns an unencrypted PKCS#8 PrivateKeyInfo (RFC 5208 / RFC 5958) into a log signing key.</summary>
internal static class Pkcs8PrivateKey
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    // Names for the key types people are likely to try, so the error says what the file holds.
    private static readonly Dictionary<string, string> KnownUnsupported = new(StringComparer.Ordinal)
    {
        ["1.3.101.113"] = "Ed448",
        ["1.3.101.110"] = "X25519",
        ["1.3.101.111"] = "X448",
        ["1.2.840.113549.1.1.10"] = "RSASSA-PSS",
        ["1.2.840.10040.4.1"] = "DSA",
        ["1.2.840.10046.2.1"] = "Diffie-Hellman",
    };

    internal static LogSigningKey Load(byte[] der)
    {
        string oid;
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.BER);
            AsnReader info = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            _ = info.ReadInteger();
            oid = info.ReadSequence().ReadObjectIdentifier();
            if (oid == Ed25519Der.Oid)
            {
                return LoadEd25519(info);
            }
        }
        catch (AsnContentException e)
        {
            throw new KeyFileException("malformed PKCS#8 private key", e);
        }

        return oid switch
        {
            EcPublicKeyOid => LoadEcdsa(der),
            RsaEncryptionOid => LoadRsa(der),
            _ => throw new KeyFileException(
                $"unsupported private key type {(KnownUnsupported.TryGetValue(oid, out string? name) ? name : oid)} "
                + "(a log key must be Ed25519, ECDSA P-256/P-384/P-521 or RSA)"),
        };
    }

    private static LogSigningKey LoadEd25519(AsnReader info)
    {
        // privateKey is an OCTET STRING wrapping the CurvePrivateKey OCTET STRING with the 32-byte seed (RFC 8410).
        byte[] wrapped = info.ReadOctetString();
        var inner = new AsnReader(wrapped, AsnEncodingRules.BER);
        byte[] seed = inner.ReadOctetString();
        inner.ThrowIfNotEmpty();
        if (seed.Length != Ed25519Der.KeySize)
        {
            throw new KeyFileException($"malformed Ed25519 private key: {seed.Length}-byte seed instead of {Ed25519Der.KeySize}");
        }

        var key = new Ed25519PrivateKeyParameters(seed);
        CryptographicOperations.ZeroMemory(seed);
        CryptographicOperations.ZeroMemory(wrapped);

        // OneAsymmetricKey (v2) may add attributes [0] and the public key [1]; a stated public key must match.
        if (info.HasData && info.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            _ = info.ReadEncodedValue();
        }

        if (info.HasData)
        {
            byte[] stated = info.ReadBitString(out _, new Asn1Tag(TagClass.ContextSpecific, 1));
            if (!stated.AsSpan().SequenceEqual(key.GeneratePublicKey().GetEncoded()))
            {
                throw new KeyFileException("malformed Ed25519 private key: the embedded public key does not match");
            }
        }

        info.ThrowIfNotEmpty();
        return LogSigningKey.FromEd25519(key);
    }

    private static LogSigningKey LoadEcdsa(byte[] der)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(der, out int read);
            CheckConsumed(read, der.Length, "ECDSA");
            return LogSigningKey.FromEcdsa(key);
        }
        // An unknown named curve is PlatformNotSupportedException, not CryptographicException.
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            key.Dispose();
            throw new KeyFileException($"malformed or unsupported ECDSA private key: {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static LogSigningKey LoadRsa(byte[] der)
    {
        var key = RSA.Create();
        try
        {
            key.ImportPkcs8PrivateKey(der, out int read);
            CheckConsumed(read, der.Length, "RSA");
            return LogSigningKey.FromRsa(key);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new KeyFileException($"malformed RSA private key: {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    internal static void CheckConsumed(int read, int length, string what)
    {
        if (read != length)
        {
            throw new KeyFileException($"malformed {what} private key: {length - read} bytes of trailing data");
        }
    }
}
