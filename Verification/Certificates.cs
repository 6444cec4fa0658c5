using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RekorPosix.Verification;

/// <summary>DER certificates from bundles and trusted roots, and chains built over them with the
/// BCL's X509Chain against a trust store of our own (never the machine's).</summary>
internal static class Certificates
{
    /// <summary>Extended key usages a Sigstore verifier requires of the end certificate.</summary>
    public const string CodeSigning = "1.3.6.1.5.5.7.3.3";
    public const string TimeStamping = "1.3.6.1.5.5.7.3.8";

    public static X509Certificate2 Parse(byte[] der, string what)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new BundleRejectedException($"{what}: not a DER X.509 certificate ({e.Message})", e);
        }
    }

    /// <summary>
    /// Null when <paramref name="leaf"/> chains to <paramref name="authority"/>'s root through its
    /// intermediates (and <paramref name="extra"/>), every certificate valid at <paramref name="time"/>
    /// and the leaf allowed <paramref name="usage"/>; else what went wrong.
    /// </summary>
    public static string? ChainProblem(X509Certificate2 leaf, TrustedAuthority authority, IEnumerable<X509Certificate2> extra,
        DateTimeOffset time, string usage)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(authority.Root);
        policy.ExtraStore.AddRange(authority.Intermediates.Concat(extra).ToArray());
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.VerificationTime = time.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        policy.ApplicationPolicy.Add(new Oid(usage));
        if (chain.Build(leaf))
            return null;
        var reasons = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
        return string.Join("; ", reasons) is { Length: > 0 } text ? text : "no chain";
    }
}
