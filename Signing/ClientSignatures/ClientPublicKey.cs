using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// A client's public key, parsed and imported once so that it can be checked against the allowed
/// algorithms and used for any number of verifications. Immutable; verifying from several threads
/// at once is safe (each verification makes its own native context).
/// </summary>
public sealed class ClientPublicKey : IDisposable
{
    private ClientPublicKey(ClientKeyKind kind)
    {
        Kind = kind;
    }

    public ClientKeyKind Kind { get; }

    /// <summary>The curve of an ECDSA key; null for other kinds.</summary>
    public NistCurve? Curve { get; private init; }

    /// <summary>
    /// Modulus length in whole bytes times 8, as Go's <c>rsa.PublicKey.Size()*8</c> counts it for the
    /// allowed-algorithm check (a 2047-bit modulus counts as 2048). 0 for other kinds.
    /// </summary>
    public int RsaModulusBits { get; private init; }

    internal ECDsa? Ecdsa { get; private init; }

    internal RSA? Rsa { get; private init; }

    internal Ed25519PublicKeyParameters? Ed25519 { get; private init; }

    internal static ClientPublicKey ForEcdsa(NistCurve curve, ECDsa key) =>
        new(ClientKeyKind.Ecdsa) { Curve = curve, Ecdsa = key };

    internal static ClientPublicKey ForRsa(int modulusBytes, RSA key) =>
        new(ClientKeyKind.Rsa) { RsaModulusBits = modulusBytes * 8, Rsa = key };

    internal static ClientPublicKey ForEd25519(Ed25519PublicKeyParameters key) =>
        new(ClientKeyKind.Ed25519) { Ed25519 = key };

    /// <summary>How the refusal reasons describe this key.</summary>
    public string Describe() => Kind switch
    {
        ClientKeyKind.Rsa => $"RSA key, size {RsaModulusBits}",
        ClientKeyKind.Ecdsa => $"ECDSA key, curve {Curve!.Value.GoName()}",
        _ => "Ed25519 key",
    };

    public void Dispose()
    {
        Ecdsa?.Dispose();
        Rsa?.Dispose();
    }
}
