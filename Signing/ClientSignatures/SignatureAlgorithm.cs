using RekorPosix.Protos.CommonV1;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// One row of sigstore's algorithm registry: a keyDetails value, its command-line name, and the key
/// and hash it stands for.
/// </summary>
public sealed record SignatureAlgorithm(
    PublicKeyDetails Details,
    string FlagName,
    ClientKeyKind KeyKind,
    DigestAlgorithm Digest,
    int RsaModulusBits = 0,
    NistCurve? Curve = null)
{
    /// <summary>
    /// sigstore's permission rule: same key kind, same RSA size (in whole bytes) or ECDSA curve,
    /// same hash. Which keyDetails the client claimed plays no part.
    /// </summary>
    public bool Permits(ClientPublicKey key, DigestAlgorithm digest)
    {
        if (key.Kind != KeyKind || digest != Digest)
            return false;
        return KeyKind switch
        {
            ClientKeyKind.Rsa => key.RsaModulusBits == RsaModulusBits,
            ClientKeyKind.Ecdsa => key.Curve == Curve,
            _ => true,
        };
    }
}
