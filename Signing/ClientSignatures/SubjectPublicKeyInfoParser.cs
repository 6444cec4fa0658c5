using System.Formats.Asn1;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// Parses a DER SubjectPublicKeyInfo the way Go's <c>x509.ParsePKIXPublicKey</c> does for the key
/// kinds a client may use (RSA, ECDSA P-256/384/521, Ed25519), and imports the key once.
/// Anything else, and anything malformed, is a <see cref="ClientKeyFormatException"/>.
/// </summary>
public static class SubjectPublicKeyInfoParser
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string Ed25519Oid = "1.3.101.112";
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string P384Oid = "1.3.132.0.34";
    private const string P521Oid = "1.3.132.0.35";

    /// <summary>DER of ASN.1 NULL: Go insists RSA keys carry exactly this as parameters.</summary>
    private static readonly byte[] DerNull = [0x05, 0x00];

    public static ClientPublicKey Parse(ReadOnlyMemory<byte> der)
    {
        try
        {
            return ParseUnchecked(der);
        }
        catch (ClientKeyFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException
                                      or FormatException or OverflowException or InvalidOperationException)
        {
            throw new ClientKeyFormatException($"malformed public key: {e.Message}", e);
        }
    }

    private static ClientPublicKey ParseUnchecked(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var spki = outer.ReadSequence();
        if (outer.HasData)
            throw new ClientKeyFormatException("trailing data after ASN.1 of public-key");

        // Like Go's encoding/asn1, extra elements after the known ones inside a SEQUENCE are ignored.
        var algorithm = spki.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        var parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : (ReadOnlyMemory<byte>?)null;
        var keyBits = spki.ReadBitString(out var unusedBits);
        if (unusedBits != 0)
            throw new ClientKeyFormatException("public key bit string is not a whole number of bytes");

        return oid switch
        {
            RsaOid => ParseRsa(parameters, keyBits),
            EcPublicKeyOid => ParseEcdsa(parameters, keyBits),
            Ed25519Oid => ParseEd25519(parameters, keyBits),
            _ => throw new ClientKeyFormatException($"unsupported public key algorithm {oid}"),
        };
    }

    private static ClientPublicKey ParseRsa(ReadOnlyMemory<byte>? parameters, byte[] keyBits)
    {
        if (parameters is not { } p || !p.Span.SequenceEqual(DerNull))
            throw new ClientKeyFormatException("RSA key missing NULL parameters");

        var key = new AsnReader(keyBits, AsnEncodingRules.DER).ReadSequence();
        var modulus = key.ReadIntegerBytes().Span;
        var exponent = key.ReadIntegerBytes().Span;
        if (modulus.IsEmpty || (modulus[0] & 0x80) != 0 || modulus.SequenceEqual((ReadOnlySpan<byte>)[0]))
            throw new ClientKeyFormatException("RSA modulus is not a positive number");
        if ((exponent[0] & 0x80) != 0 || exponent.SequenceEqual((ReadOnlySpan<byte>)[0]))
            throw new ClientKeyFormatException("RSA public exponent is not a positive number");

        var n = modulus[0] == 0 ? modulus[1..] : modulus;
        var e = exponent[0] == 0 ? exponent[1..] : exponent;
        // Go's crypto/rsa refuses these before verifying; without the checks e = 1 would make every
        // "signature" equal to its own padded digest.
        if ((n[^1] & 1) == 0)
            throw new ClientKeyFormatException("RSA public modulus is even");
        if (e.Length > 4 || (e.Length == 4 && (e[0] & 0x80) != 0))
            throw new ClientKeyFormatException("RSA public exponent too large");
        var exponentValue = 0L;
        foreach (var b in e)
            exponentValue = (exponentValue << 8) | b;
        if (exponentValue < 2)
            throw new ClientKeyFormatException("RSA public exponent too small");
        if ((exponentValue & 1) == 0)
            throw new ClientKeyFormatException("RSA public exponent is even");

        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters { Modulus = n.ToArray(), Exponent = e.ToArray() });
            return ClientPublicKey.ForRsa(n.Length, rsa);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static ClientPublicKey ParseEcdsa(ReadOnlyMemory<byte>? parameters, byte[] keyBits)
    {
        if (parameters is not { } p)
            throw new ClientKeyFormatException("ECDSA key without curve parameters");
        var curveOid = new AsnReader(p, AsnEncodingRules.DER).ReadObjectIdentifier();
        var (curve, ecCurve) = curveOid switch
        {
            P256Oid => (NistCurve.P256, ECCurve.NamedCurves.nistP256),
            P384Oid => (NistCurve.P384, ECCurve.NamedCurves.nistP384),
            P521Oid => (NistCurve.P521, ECCurve.NamedCurves.nistP521),
            _ => throw new ClientKeyFormatException($"unsupported elliptic curve {curveOid}"),
        };

        // Only the uncompressed form 04 || X || Y, as Go's elliptic.Unmarshal.
        var size = curve.FieldSize();
        if (keyBits.Length != 1 + 2 * size || keyBits[0] != 0x04)
            throw new ClientKeyFormatException("failed to unmarshal elliptic curve point");
        var x = keyBits.AsSpan(1, size);
        var y = keyBits.AsSpan(1 + size, size);
        var prime = FieldPrime(curve);
        if (x.SequenceCompareTo(prime) >= 0 || y.SequenceCompareTo(prime) >= 0)
            throw new ClientKeyFormatException("elliptic curve point coordinate out of range");

        // Import checks that the point is on the curve.
        var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ecCurve,
            Q = new ECPoint { X = x.ToArray(), Y = y.ToArray() },
        });
        return ClientPublicKey.ForEcdsa(curve, ecdsa);
    }

    private static ClientPublicKey ParseEd25519(ReadOnlyMemory<byte>? parameters, byte[] keyBits)
    {
        if (parameters is not null)
            throw new ClientKeyFormatException("Ed25519 key encoded with illegal parameters");
        if (keyBits.Length != Ed25519PublicKeyParameters.KeySize)
            throw new ClientKeyFormatException("wrong Ed25519 public key size");
        // The constructor decodes the point once; an undecodable point is an ArgumentException.
        return ClientPublicKey.ForEd25519(new Ed25519PublicKeyParameters(keyBits));
    }

    /// <summary>The curve's field prime p, big-endian, one coordinate long.</summary>
    private static ReadOnlySpan<byte> FieldPrime(NistCurve curve) => curve switch
    {
        NistCurve.P256 => P256Prime,
        NistCurve.P384 => P384Prime,
        _ => P521Prime,
    };

    private static readonly byte[] P256Prime = Convert.FromHexString(
        "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");

    private static readonly byte[] P384Prime = Convert.FromHexString(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF");

    private static readonly byte[] P521Prime = Convert.FromHexString("01" + new string('F', 130));
}
