using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace RekorPosix.Signing;

/// <summary>
/// The log's private checkpoint key: Ed25519, ECDSA P-256/P-384/P-521 or RSA. Signers created from it share
/// the key and stop working once it is disposed.
/// </summary>
public sealed class LogSigningKey : IDisposable
{
    private readonly Ed25519PrivateKeyParameters? _ed25519;
    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;

    private LogSigningKey(LogPublicKey publicKey, Ed25519PrivateKeyParameters? ed25519, ECDsa? ecdsa, RSA? rsa)
    {
        PublicKey = publicKey;
        _ed25519 = ed25519;
        _ecdsa = ecdsa;
        _rsa = rsa;
    }

    public LogKeyType KeyType => PublicKey.KeyType;

    public LogPublicKey PublicKey { get; }

    /// <summary>DER SubjectPublicKeyInfo of the public key.</summary>
    public byte[] SubjectPublicKeyInfo => PublicKey.SubjectPublicKeyInfo;

    /// <summary>The public key as a "PUBLIC KEY" PEM block.</summary>
    public string PublicKeyPem => PublicKey.Pem;

    /// <summary>A fresh Ed25519 key from the system's secure random generator.</summary>
    public static LogSigningKey GenerateEd25519()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(Ed25519Der.KeySize);
        try
        {
            return FromEd25519(new Ed25519PrivateKeyParameters(seed));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>
    /// Reads the first PEM block: PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY or the
    /// cosign ENCRYPTED SIGSTORE/COSIGN PRIVATE KEY. The password is used only if the key is encrypted; null means
    /// none was given, while an empty password is tried (the Go server's default).
    /// </summary>
    /// <exception cref="KeyFileException">The PEM is unusable; the message says why.</exception>
    public static LogSigningKey FromPem(string pem, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return PrivateKeyPem.Load(pem, password);
    }

    /// <summary>Reads a PEM key file; see <see cref="FromPem"/>.</summary>
    /// <exception cref="KeyFileException">The file cannot be read or holds no usable key; the message names the file.</exception>
    public static LogSigningKey Load(string path, string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException($"cannot read key file {path}: {e.Message}", e);
        }

        try
        {
            return PrivateKeyPem.Load(pem, password);
        }
        catch (KeyFileException e)
        {
            throw new KeyFileException($"key file {path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="key"/> as unencrypted PKCS#8 PEM to a file that must not exist yet, created with mode 0600.
    /// </summary>
    /// <exception cref="IOException">The file exists, or it could not be written.</exception>
    public static void WriteNewKeyFile(string path, LogSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        KeyFileWriter.WriteNew(path, key.ToPkcs8Pem());
    }

    /// <summary>Unencrypted PKCS#8 "PRIVATE KEY" PEM; for Ed25519 exactly the RFC 8410 form OpenSSL and Go write.</summary>
    public string ToPkcs8Pem()
    {
        byte[] der = KeyType switch
        {
            LogKeyType.Ed25519 => Ed25519Pkcs8(_ed25519!),
            LogKeyType.Rsa => _rsa!.ExportPkcs8PrivateKey(),
            _ => _ecdsa!.ExportPkcs8PrivateKey(),
        };

        try
        {
            return PemEncoding.WriteString("PRIVATE KEY", der) + "\n";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>A note signer named <paramref name="origin"/> with this key (rekor-v2-api.md §5.2).</summary>
    public INoteSigner CreateNoteSigner(string origin)
    {
        uint keyId = KeyId(origin);
        return KeyType switch
        {
            LogKeyType.Ed25519 => new Ed25519NoteSigner(origin, keyId, _ed25519!),
            LogKeyType.Rsa => new RsaNoteSigner(origin, keyId, _rsa!),
            _ => new EcdsaNoteSigner(origin, keyId, _ecdsa!, EcdsaCurves.HashFor(KeyType)),
        };
    }

    /// <summary>A witness cosigner named <paramref name="name"/> with this key: only an Ed25519 key
    /// can make cosignature/v1 lines (https://c2sp.org/tlog-cosignature).</summary>
    /// <exception cref="KeyFileException">The key is not Ed25519.</exception>
    public Witnessing.Cosigner CreateCosigner(string name, TimeProvider clock) =>
        KeyType == LogKeyType.Ed25519
            ? new Witnessing.Cosigner(name, _ed25519!, clock)
            : throw new KeyFileException($"a witness key must be Ed25519, not {KeyType}");

    /// <summary>The 32-byte log ID (rekor-v2-api.md §5.3).</summary>
    public byte[] LogId(string origin) => PublicKey.LogId(origin);

    /// <summary>The note key ID: the log ID's first four bytes, big-endian.</summary>
    public uint KeyId(string origin) => PublicKey.KeyId(origin);

    /// <summary>The C2SP verifier key for notes signed under <paramref name="origin"/>.</summary>
    public string VerifierKey(string origin) => PublicKey.VerifierKey(origin);

    public void Dispose()
    {
        _ecdsa?.Dispose();
        _rsa?.Dispose();
    }

    internal static LogSigningKey FromEd25519(Ed25519PrivateKeyParameters key) =>
        new(LogPublicKey.FromEd25519(key.GeneratePublicKey().GetEncoded()), key, null, null);

    /// <summary>Takes ownership of <paramref name="key"/>; rejects curves other than P-256/384/521.</summary>
    internal static LogSigningKey FromEcdsa(ECDsa key) => new(LogPublicKey.FromEcdsa(key), null, key, null);

    /// <summary>Takes ownership of <paramref name="key"/>.</summary>
    internal static LogSigningKey FromRsa(RSA key) => new(LogPublicKey.FromRsa(key), null, null, key);

    private static byte[] Ed25519Pkcs8(Ed25519PrivateKeyParameters key)
    {
        byte[] seed = key.GetEncoded();
        try
        {
            return Ed25519Der.Pkcs8(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}
