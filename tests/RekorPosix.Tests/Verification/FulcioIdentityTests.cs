using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RekorPosix.Verification;
using static RekorPosix.Tests.Verification.SigstoreCases;

namespace RekorPosix.Tests.Verification;

public class FulcioIdentityTests
{
    [Fact]
    public void Of_AFulcioCertificate_ReadsTheUriIdentityAndTheIssuer()
    {
        var identity = FulcioIdentity.Of(Bundle(ConformanceBundle("rekor2-happy-path")).Certificate!);
        Assert.Equal([Identity], identity.SubjectAlternativeNames);
        Assert.Equal(Issuer, identity.Issuer);
    }

    [Fact]
    public void Of_ACertificateWithAnEmailAndTheV1IssuerExtension_ReadsThem()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddEmailAddress("someone@example.com");
        san.AddDnsName("ignored.example.com");
        var identity = FulcioIdentity.Of(Certificate(san.Build(), new X509Extension("1.3.6.1.4.1.57264.1.1", Encoding.UTF8.GetBytes("https://accounts.example.com"), false)));
        Assert.Equal(["someone@example.com"], identity.SubjectAlternativeNames);
        Assert.Equal("https://accounts.example.com", identity.Issuer);
    }

    [Fact]
    public void Of_ACertificateWithoutIdentity_HasNone()
    {
        var identity = FulcioIdentity.Of(Certificate());
        Assert.Empty(identity.SubjectAlternativeNames);
        Assert.Null(identity.Issuer);
    }

    [Fact]
    public void Of_AMalformedIssuerExtension_IsRejected()
    {
        var e = Assert.Throws<BundleRejectedException>(() => FulcioIdentity.Of(Certificate(new X509Extension("1.3.6.1.4.1.57264.1.8", [0x04, 0x01, 0x41], false))));
        Assert.StartsWith("certificate: malformed identity extension", e.Message);
    }

    [Fact]
    public void Of_TheV2IssuerExtension_IsADerUtf8String()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.UTF8String, "https://issuer.example");
        Assert.Equal("https://issuer.example", FulcioIdentity.Of(Certificate(new X509Extension("1.3.6.1.4.1.57264.1.8", writer.Encode(), false))).Issuer);
    }

    private static X509Certificate2 Certificate(params X509Extension[] extensions)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        foreach (var extension in extensions)
            request.CertificateExtensions.Add(extension);
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-1), now.AddMinutes(10));
    }
}
