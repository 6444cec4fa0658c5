namespace RekorPosix.Verification;

/// <summary>
/// Who must have signed: a Fulcio certificate for <see cref="Identity"/> (a SAN, exactly) from
/// <see cref="Issuer"/> (the OIDC issuer extension, exactly), or the holder of <see cref="PublicKey"/>
/// (a DER SubjectPublicKeyInfo) for bundles signed with a plain key.
/// </summary>
public sealed record VerificationPolicy(string? Identity, string? Issuer, byte[]? PublicKey)
{
    public static VerificationPolicy ForCertificate(string identity, string issuer) => new(identity, issuer, null);

    public static VerificationPolicy ForKey(byte[] subjectPublicKeyInfo) => new(null, null, subjectPublicKeyInfo);
}

/// <summary>What a verified bundle established.</summary>
public sealed record VerifiedBundle(IReadOnlyList<long> LogIndices, IReadOnlyList<DateTimeOffset> SignedAt, CertificateIdentity? Signer);
