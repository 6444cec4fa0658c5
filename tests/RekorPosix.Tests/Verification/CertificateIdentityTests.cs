using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RekorPosix.Verification;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Verification;

public class CertificateIdentityTests
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    [Fact]
    public void AnEmailIdentity_WithTheIssuerExtension()
    {
        var identity = CertificateIdentity.Read(FulcioCertificates.Create(Key, email: "alice@example.com", issuer: "https://accounts.example.com"));
        Assert.Equal(["alice@example.com"], identity.SubjectAlternativeNames);
        Assert.Equal("https://accounts.example.com", identity.Issuer);
    }

    [Fact]
    public void AUriIdentity_WithOnlyTheLegacyIssuerExtension()
    {
        var identity = CertificateIdentity.Read(FulcioCertificates.Create(Key, uri: "https://github.com/o/r/.github/workflows/w.yml@refs/heads/main", legacyIssuer: "https://token.actions.githubusercontent.com"));
        Assert.Equal(["https://github.com/o/r/.github/workflows/w.yml@refs/heads/main"], identity.SubjectAlternativeNames);
        Assert.Equal("https://token.actions.githubusercontent.com", identity.Issuer);
    }

    [Fact]
    public void TheIssuerExtension_WinsOverTheLegacyOne()
    {
        var identity = CertificateIdentity.Read(FulcioCertificates.Create(Key, email: "a@example.com", issuer: "https://new.example", legacyIssuer: "https://old.example"));
        Assert.Equal("https://new.example", identity.Issuer);
    }

    [Fact]
    public void FulciosUsernameOtherName_IsAnIdentity_BesideTheOthers()
    {
        var identity = CertificateIdentity.Read(FulcioCertificates.Create(Key, email: "a@example.com", uri: "spiffe://example/x", username: "alice!example.com"));
        Assert.Equal(["a@example.com", "spiffe://example/x", "alice!example.com"], identity.SubjectAlternativeNames);
        Assert.Null(identity.Issuer);
    }

    [Fact]
    public void DnsNamesAndIpAddresses_AreNotIdentities()
    {
        var request = new CertificateRequest("CN=x", Key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("host.example");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddEmailAddress("ops@example.com");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        Assert.Equal(["ops@example.com"], CertificateIdentity.Read(certificate.RawData).SubjectAlternativeNames);
    }

    [Fact]
    public void ACertificateWithoutExtensions_HasNoIdentity()
    {
        var request = new CertificateRequest("CN=x", Key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var identity = CertificateIdentity.Read(certificate.RawData);
        Assert.Empty(identity.SubjectAlternativeNames);
        Assert.Null(identity.Issuer);
    }

    [Fact]
    public void AMalformedSubjectAltName_IsAFormatException()
    {
        var request = new CertificateRequest("CN=x", Key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension("2.5.29.17", [0x30, 0x05, 0x81, 0x01], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        Assert.Throws<FormatException>(() => CertificateIdentity.Read(certificate.RawData));
    }

    [Fact]
    public void AConformanceBundlesFulcioCertificate_NamesTheWorkflowAndGitHubsIssuer()
    {
        var certificate = SigstoreCases.Bundle(SigstoreCases.ConformanceBundle("rekor2-happy-path")).Certificate!;
        var identity = CertificateIdentity.Read(certificate.RawData);
        Assert.Equal([SigstoreCases.Identity], identity.SubjectAlternativeNames);
        Assert.Equal(SigstoreCases.Issuer, identity.Issuer);
    }
}
