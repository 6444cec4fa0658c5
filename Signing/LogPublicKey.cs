using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;

namespace RekorPosix.Signing;

/// <summary>
/// A log's public checkpoint key and the identifiers derived from it: log ID, note key ID and verifier key
/// (rekor-v2-api.md §5.3; C2SP signed-note key types 0x01, 0x02 and 0xff).
/// </summary>
public sealed class LogPublicKey
{
    internal const byte Ed25519Type = 0x01;
    internal const byte EcdsaType = 0x02;
    internal const byte PrivateType = 0xff;

    // Identifier following the 0xff type byte for RSA keys, as in sigstore's note signer.
    internal const string RsaTypeName = "PKIX-RSA-PKCS#1v1.5";

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    private readonly byte[] _spki;
    private readonly byte[] _ed25519;

    private LogPublicKey(LogKeyType keyType, byte[] spki, byte[] ed25519)
    {
        KeyType = keyType;
        _spki = spki;
        _ed25519 = ed25519;
    }

    public LogKeyType KeyType { get; }

    /// <summary>DER SubjectPublicKeyInfo, re-encoded canonically (as Go's x509.MarshalPKIXPublicKey would).</summary>
    public byte[] SubjectPublicKeyInfo => (byte[])_spki.Clone();

    /// <summary>The SubjectPublicKeyInfo as a "PUBLIC KEY" PEM block ending in a newline.</summary>
    public string Pem => PemEncoding.WriteString("PUBLIC KEY", _spki) + "\n";

    /// <summary>Reads a DER SubjectPublicKeyInfo of an Ed25519, ECDSA P-256/384/521 or RSA key.</summary>
    /// <exception cref="KeyFileException">Malformed, or a key type or curve a log cannot use.</exception>
    public static LogPublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der)
    {
        byte[] copy = der.ToArray();
        string oid;
        try
        {
            var outer = new AsnReader(copy, AsnEncodingRules.DER);
            AsnReader spki = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            AsnReader algorithm = spki.ReadSequence();
            oid = algorithm.ReadObjectIdentifier();
            if (oid == Ed25519Der.Oid)
            {
                // RFC 8410: no parameters, and the bit string is the bare 32-byte key.
                algorithm.ThrowIfNotEmpty();
                byte[] key = spki.ReadBitString(out int unusedBits);
                spki.ThrowIfNotEmpty();
                if (unusedBits != 0 || key.Length != Ed25519Der.KeySize)
                {
                    throw new KeyFileException("malformed Ed25519 public key");
                }

                return FromEd25519(key);
            }
        }
        catch (AsnContentException e)
        {
            throw new KeyFileException("malformed public key: not a DER SubjectPublicKeyInfo", e);
        }

        return oid switch
        {
            EcPublicKeyOid => FromEcdsaSpki(copy),
            RsaEncryptionOid => FromRsaSpki(copy),
            _ => throw new KeyFileException($"unsupported public key algorithm {oid} (expected Ed25519, ECDSA or RSA)"),
        };
    }

    /// <summary>Reads the first PEM block, which must be a "PUBLIC KEY" (SubjectPublicKeyInfo).</summary>
    /// <exception cref="KeyFileException">No such block, or an unusable key.</exception>
    public static LogPublicKey FromPem(string pem)
    {
        PemBlock block = PemBlock.ReadFirst(pem);
        if (block.Label != "PUBLIC KEY")
        {
            throw new KeyFileException($"unknown public key PEM file type: {block.Label} (expected PUBLIC KEY)");
        }

        return FromSubjectPublicKeyInfo(block.Data);
    }

    /// <summary>The 32-byte log ID: SHA-256 over the key, with the origin mixed in for Ed25519 and RSA only.</summary>
    public byte[] LogId(string origin)
    {
        NoteKeyName.ThrowIfInvalid(origin, nameof(origin));

        // ECDSA keeps Rekor v1's log ID, the hash of the DER key without the name (transparency-dev type 0x02).
        if (KeyType is LogKeyType.EcdsaP256 or LogKeyType.EcdsaP384 or LogKeyType.EcdsaP521)
        {
            return SHA256.HashData(_spki);
        }

        byte[] name = Encoding.UTF8.GetBytes(origin);
        byte[] material = VerifierKeyMaterial();
        var input = new byte[name.Length + 1 + material.Length];
        name.CopyTo(input, 0);
        input[name.Length] = (byte)'\n';
        material.CopyTo(input, name.Length + 1);
        return SHA256.HashData(input);
    }

    /// <summary>The note key ID: the first four bytes of the log ID, big-endian.</summary>
    public uint KeyId(string origin) => BinaryPrimitives.ReadUInt32BigEndian(LogId(origin));

    /// <summary>The C2SP verifier key <c>&lt;origin&gt;+&lt;key ID hex&gt;+&lt;base64(type ‖ key)&gt;</c>.</summary>
    public string VerifierKey(string origin) =>
        $"{origin}+{KeyId(origin):x8}+{Convert.ToBase64String(VerifierKeyMaterial())}";

    /// <summary>A verifier for notes this key signs under the name <paramref name="origin"/>.</summary>
    public INoteVerifier CreateNoteVerifier(string origin)
    {
        uint keyId = KeyId(origin);
        switch (KeyType)
        {
            case LogKeyType.Ed25519:
                return new Ed25519NoteVerifier(origin, keyId, new Ed25519PublicKeyParameters(_ed25519));
            case LogKeyType.Rsa:
                var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(_spki, out _);
                return new RsaNoteVerifier(origin, keyId, rsa);
            default:
                var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(_spki, out _);
                return new EcdsaNoteVerifier(origin, keyId, ecdsa, EcdsaCurves.HashFor(KeyType));
        }
    }

    /// <summary>Type byte followed by the key as the verifier key and key ID encode it.</summary>
    internal byte[] VerifierKeyMaterial()
    {
        switch (KeyType)
        {
            case LogKeyType.Ed25519:
                return [Ed25519Type, .. _ed25519];
            case LogKeyType.Rsa:
                return [PrivateType, .. Encoding.ASCII.GetBytes(RsaTypeName), .. _spki];
            default:
                return [EcdsaType, .. _spki];
        }
    }

    internal static LogPublicKey FromEd25519(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Ed25519Der.KeySize)
        {
            throw new KeyFileException($"an Ed25519 public key is {Ed25519Der.KeySize} bytes, not {publicKey.Length}");
        }

        try
        {
            // BouncyCastle decodes the point here, so an invalid key fails now rather than at every verification.
            _ = new Ed25519PublicKeyParameters(publicKey);
        }
        catch (ArgumentException e)
        {
            throw new KeyFileException("invalid Ed25519 public key: not a point on the curve", e);
        }

        return new LogPublicKey(LogKeyType.Ed25519, Ed25519Der.SubjectPublicKeyInfo(publicKey), publicKey.ToArray());
    }

    internal static LogPublicKey FromEcdsa(ECDsa key) =>
        new(EcdsaCurves.KeyTypeOf(key), key.ExportSubjectPublicKeyInfo(), []);

    internal static LogPublicKey FromRsa(RSA key)
    {
        RsaKeySizes.Check(key);
        return new LogPublicKey(LogKeyType.Rsa, key.ExportSubjectPublicKeyInfo(), []);
    }

    private static LogPublicKey FromEcdsaSpki(byte[] der)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(der, out int read);
            if (read != der.Length)
            {
                throw new KeyFileException("malformed ECDSA public key: trailing data");
            }
        }
        // An unknown named curve is PlatformNotSupportedException, not CryptographicException.
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            throw new KeyFileException($"malformed or unsupported ECDSA public key: {e.Message}", e);
        }

        return FromEcdsa(key);
    }

    private static LogPublicKey FromRsaSpki(byte[] der)
    {
        using var key = RSA.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(der, out int read);
            if (read != der.Length)
            {
                throw new KeyFileException("malformed RSA public key: trailing data");
            }
        }
        catch (CryptographicException e)
        {
            throw new KeyFileException($"malformed RSA public key: {e.Message}", e);
        }

        return FromRsa(key);
    }
}
