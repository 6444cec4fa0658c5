using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace RekorPosix.Tests.Signing.ClientSignatures;

/// <summary>A freshly generated client key that can sign digests and describe itself as SPKI or certificate.</summary>
public sealed class TestSigner
{
    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;
    private readonly Ed25519PrivateKeyParameters? _ed25519;

    private TestSigner(string name, ECDsa? ecdsa = null, RSA? rsa = null, Ed25519PrivateKeyParameters? ed25519 = null)
    {
        Name = name;
        _ecdsa = ecdsa;
        _rsa = rsa;
        _ed25519 = ed25519;
    }

    public string Name { get; }

    public static TestSigner P256() => new("P-256", ecdsa: ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static TestSigner P384() => new("P-384", ecdsa: ECDsa.Create(ECCurve.NamedCurves.nistP384));

    public static TestSigner P521() => new("P-521", ecdsa: ECDsa.Create(ECCurve.NamedCurves.nistP521));

    public static TestSigner Rsa(int bits) => new($"RSA-{bits}", rsa: RSA.Create(bits));

    public static TestSigner Ed25519() => new("Ed25519", ed25519: new Ed25519PrivateKeyParameters(new SecureRandom()));

    /// <summary>Keys are slow to make (RSA-4096 especially); tests share them by name.</summary>
    public static TestSigner Shared(string name) => SharedSigners.GetOrAdd(name, Create);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TestSigner> SharedSigners = new();

    private static TestSigner Create(string name) => name switch
    {
        "P-256" => P256(),
        "P-384" => P384(),
        "P-521" => P521(),
        "RSA-1024" => Rsa(1024),
        "RSA-2048" => Rsa(2048),
        "RSA-3072" => Rsa(3072),
        "RSA-4096" => Rsa(4096),
        "Ed25519" => Ed25519(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>DER SubjectPublicKeyInfo.</summary>
    public byte[] PublicKeyDer()
    {
        if (_ecdsa is not null)
            return _ecdsa.ExportSubjectPublicKeyInfo();
        if (_rsa is not null)
            return _rsa.ExportSubjectPublicKeyInfo();
        // SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING key }
        return [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00, .. _ed25519!.GeneratePublicKey().GetEncoded()];
    }

    /// <summary>A certificate for this key, signed by a throwaway P-256 issuer (no chain is ever checked).</summary>
    public byte[] CertificateDer()
    {
        using var issuer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedName("CN=rekor-posix test client");
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(PublicKeyDer(), out _);
        var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(new X500DistinguishedName("CN=issuer"), X509SignatureGenerator.CreateForECDsa(issuer),
            now.AddDays(-1), now.AddDays(1), [1, 2, 3, 4]);
        return certificate.RawData;
    }

    /// <summary>Signs a digest the caller computed. ECDSA: DER unless <paramref name="p1363"/>. RSA: PKCS#1 v1.5. Ed25519: Ed25519ph.</summary>
    public byte[] SignDigest(byte[] digest, bool p1363 = false)
    {
        if (_ecdsa is not null)
            return _ecdsa.SignHash(digest, p1363 ? DSASignatureFormat.IeeeP1363FixedFieldConcatenation : DSASignatureFormat.Rfc3279DerSequence);
        if (_rsa is not null)
            return _rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var signature = new byte[Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.SignatureSize];
        _ed25519!.Sign(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519ph, [], digest, 0, digest.Length, signature, 0);
        return signature;
    }

    /// <summary>RSA-PSS, which the server must never accept (it verifies PKCS#1 v1.5 only).</summary>
    public byte[] SignDigestPss(byte[] digest) => _rsa!.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    /// <summary>Pure Ed25519 over a message.</summary>
    public byte[] SignPureEd25519(byte[] message)
    {
        var signature = new byte[Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.SignatureSize];
        _ed25519!.Sign(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm.Ed25519, null, message, 0, message.Length, signature, 0);
        return signature;
    }

    public override string ToString() => Name;
}
