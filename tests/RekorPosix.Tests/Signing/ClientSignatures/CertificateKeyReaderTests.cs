using System.Formats.Asn1;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Tests.Signing.ClientSignatures;

public class CertificateKeyReaderTests
{
    private static TestCertificate Baseline() => new(TestSigner.Shared("P-256").PublicKeyDer());

    private static void Accepted(TestCertificate certificate)
    {
        using var key = CertificateKeyReader.ReadPublicKey(certificate.Build());
        Assert.Equal(ClientKeyKind.Ecdsa, key.Kind);
    }

    private static string Refused(byte[] der) =>
        Assert.Throws<ClientKeyFormatException>(() => CertificateKeyReader.ReadPublicKey(der)).Message;

    [Fact]
    public void Baseline_GivesTheSubjectKey()
    {
        var certificate = Baseline();
        Assert.Equal(certificate.Spki, CertificateKeyReader.ReadSubjectPublicKeyInfo(certificate.Build()).ToArray());
        Accepted(certificate);
    }

    [Fact]
    public void DotNetMadeCertificates_ForEveryKeyKind()
    {
        foreach (var name in new[] { "P-256", "P-384", "P-521", "RSA-2048", "Ed25519" })
        {
            var signer = TestSigner.Shared(name);
            Assert.Equal(signer.PublicKeyDer(), CertificateKeyReader.ReadSubjectPublicKeyInfo(signer.CertificateDer()).ToArray());
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(1)]
    public void OlderVersions_AreAccepted(int? version)
    {
        var certificate = Baseline();
        certificate.Version = version;
        Accepted(certificate);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void InvalidVersion_IsRefused(int version)
    {
        var certificate = Baseline();
        certificate.Version = version;
        Refused(certificate.Build());
    }

    [Fact]
    public void NegativeSerial_IsRefused()
    {
        var certificate = Baseline();
        certificate.SerialNumber = [0xFF];
        Assert.Equal("negative serial number", Refused(certificate.Build()));
    }

    [Fact]
    public void ZeroSerial_IsAccepted()
    {
        var certificate = Baseline();
        certificate.SerialNumber = [0x00];
        Accepted(certificate);
    }

    [Fact]
    public void DifferentInnerAndOuterAlgorithms_AreRefused()
    {
        var certificate = Baseline();
        certificate.OuterAlgorithm = TestCertificate.AlgorithmIdentifier("1.2.840.10045.4.3.3");
        Assert.Equal("inner and outer signature algorithm identifiers don't match", Refused(certificate.Build()));
    }

    [Fact]
    public void DuplicateExtensions_AreRefused()
    {
        var certificate = Baseline();
        certificate.Extensions.Add(("2.5.29.15", null, [0x03, 0x02, 0x07, 0x80]));
        Assert.StartsWith("certificate contains duplicate extension", Refused(certificate.Build()));
    }

    [Fact]
    public void ExtensionsOfAV1Certificate_AreIgnoredLikeGo()
    {
        var certificate = Baseline();
        certificate.Version = null;
        certificate.Extensions.Add(("2.5.29.15", null, [0x03, 0x02, 0x07, 0x80]));
        Accepted(certificate);
    }

    [Fact]
    public void ExplicitNonCriticalFlag_IsAccepted()
    {
        var certificate = Baseline();
        certificate.Extensions.Add(("2.5.29.19", false, [0x30, 0x00]));
        Accepted(certificate);
    }

    [Fact]
    public void UnparsedExtensionContents_AreNotChecked()
    {
        var certificate = Baseline();
        certificate.Extensions.Add(("2.5.29.17", false, [0xDE, 0xAD]));
        Accepted(certificate);
    }

    [Theory]
    [InlineData(UniversalTagNumber.PrintableString, "Test *&'()+,-./:=? 09")]
    [InlineData(UniversalTagNumber.UTF8String, "tëst")]
    [InlineData(UniversalTagNumber.IA5String, "a@b.c")]
    [InlineData(UniversalTagNumber.T61String, "anything")]
    [InlineData(UniversalTagNumber.NumericString, "0123 456")]
    public void NameStringTypes_Accepted(UniversalTagNumber tag, string text)
    {
        var certificate = Baseline();
        certificate.Subject = TestDer.CommonName(text, tag);
        Accepted(certificate);
    }

    [Theory]
    [InlineData(UniversalTagNumber.PrintableString, "a@b")]
    [InlineData(UniversalTagNumber.IA5String, "tëst")]
    [InlineData(UniversalTagNumber.NumericString, "12a")]
    [InlineData(UniversalTagNumber.VisibleString, "visible")]
    [InlineData(UniversalTagNumber.OctetString, "octets")]
    public void NameStringTypes_Refused(UniversalTagNumber tag, string text)
    {
        var certificate = Baseline();
        certificate.Issuer = TestDer.CommonName(text, tag);
        Assert.Contains("RDNSequence", Refused(certificate.Build()));
    }

    [Fact]
    public void InvalidUtf8AndBmpNames_AreRefused()
    {
        var certificate = Baseline();
        certificate.Subject = TestDer.Name(("2.5.4.3", UniversalTagNumber.UTF8String, [0xC3]));
        Refused(certificate.Build());
        certificate.Subject = TestDer.Name(("2.5.4.3", UniversalTagNumber.BMPString, [0x00, 0x41, 0x00]));
        Refused(certificate.Build());
        certificate.Subject = TestDer.Name(("2.5.4.3", UniversalTagNumber.BMPString, [0xD8, 0x00]));
        Refused(certificate.Build());
        certificate.Subject = TestDer.Name(("2.5.4.3", UniversalTagNumber.BMPString, [0x00, 0x41, 0x00, 0x00]));
        Accepted(certificate);
    }

    [Fact]
    public void BadValidityTime_IsRefused()
    {
        var certificate = Baseline();
        certificate.NotBefore = TestDer.Time(UniversalTagNumber.UtcTime, "250231000000Z");
        Assert.Equal("malformed validity time", Refused(certificate.Build()));
        certificate.NotBefore = TestDer.Time(UniversalTagNumber.UTF8String, "250101000000Z");
        Refused(certificate.Build());
    }

    [Fact]
    public void TrailingDataAfterTheCertificate_IsRefused()
    {
        Assert.Equal("trailing data after certificate", Refused([.. Baseline().Build(), 0x00]));
    }

    [Fact]
    public void BerIndefiniteLength_IsRefused()
    {
        var der = Baseline().Build();
        AsnDecoder.ReadEncodedValue(der, AsnEncodingRules.DER, out var offset, out var length, out _);
        // The same contents under an indefinite-length outer SEQUENCE, closed by end-of-contents octets.
        Refused([0x30, 0x80, .. der.AsSpan(offset, length), 0x00, 0x00]);
    }

    [Fact]
    public void KeyInsideIsParsedToo()
    {
        var certificate = Baseline();
        certificate.Spki = TestDer.Spki(TestDer.Ed25519Oid, TestDer.Null, new byte[32]);
        Assert.Contains("illegal parameters", Refused(certificate.Build()));
    }

    [Fact]
    public void Garbage_IsRefusedNotThrownThrough()
    {
        var random = new Random(1234);
        var der = Baseline().Build();
        for (var i = 0; i < 2000; i++)
        {
            var mutated = (byte[])der.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            try
            {
                using var key = CertificateKeyReader.ReadPublicKey(mutated);
            }
            catch (ClientKeyFormatException)
            {
            }
        }
    }
}
