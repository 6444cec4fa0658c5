using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class CertificatesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ChainProblem_IsNone_ForALeafOfTheAuthority()
    {
        var (authority, leaf) = Pki(Certificates.CodeSigning);
        Assert.Null(Certificates.ChainProblem(leaf, authority, [], Start.AddDays(1), Certificates.CodeSigning));
    }

    [Fact]
    public void ChainProblem_NamesAnExpiredLeaf()
    {
        var (authority, leaf) = Pki(Certificates.CodeSigning);
        Assert.NotNull(Certificates.ChainProblem(leaf, authority, [], Start.AddDays(40), Certificates.CodeSigning));
    }

    [Fact]
    public void ChainProblem_NamesAMissingUsage()
    {
        var (authority, leaf) = Pki(Certificates.TimeStamping);
        Assert.NotNull(Certificates.ChainProblem(leaf, authority, [], Start.AddDays(1), Certificates.CodeSigning));
    }

    [Fact]
    public void ChainProblem_NamesALeafOfAnotherAuthority()
    {
        var (authority, _) = Pki(Certificates.CodeSigning);
        var (_, stranger) = Pki(Certificates.CodeSigning);
        Assert.NotNull(Certificates.ChainProblem(stranger, authority, [], Start.AddDays(1), Certificates.CodeSigning));
    }

    [Fact]
    public void Parse_RefusesWhatIsNotACertificate()
    {
        Assert.StartsWith("the thing: not a DER X.509 certificate", Assert.Throws<BundleRejectedException>(() => Certificates.Parse([0x30, 0x00], "the thing")).Message);
    }

    /// <summary>A root CA valid a year from <see cref="Start"/>, and a leaf it issued for 30 days with one extended usage.</summary>
    private static (TrustedAuthority Authority, X509Certificate2 Leaf) Pki(string usage)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=test ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var ca = caRequest.CreateSelfSigned(Start, Start.AddYears(1));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=leaf", leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], true));
        var leaf = leafRequest.Create(ca, Start, Start.AddDays(30), [1, 2, 3, 4]);
        return (new TrustedAuthority("https://ca.test", [ca], new ValidityPeriod(null, null)), leaf);
    }
}
