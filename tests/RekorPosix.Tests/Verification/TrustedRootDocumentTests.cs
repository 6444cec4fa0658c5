using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class TrustedRootDocumentTests
{
    [Fact]
    public void Write_NamesTheLogByItsOrigin_WithTheSignedNoteLogId()
    {
        var root = TrustedRoot.Parse(WorkedExample.TrustedRoot);
        var log = Assert.Single(root.Logs);
        Assert.Equal("https://rekor-local", log.BaseUrl);
        Assert.Equal("rekor-local", log.Origin);
        // rekor-tiles' test key under rekor-local (its documented log ID).
        Assert.Equal("2AtEIMfG6Y41yK0tcwRTBS2tjhOrjKGIpDkHFgp65g0=", Convert.ToBase64String(log.LogId));
        Assert.Equal(DateTimeOffset.UnixEpoch, log.ValidFor.Start);
        Assert.Empty(root.CertificateAuthorities);
        Assert.Empty(root.TimestampAuthorities);
        var json = JsonNode.Parse(WorkedExample.TrustedRoot)!;
        Assert.Equal("PKIX_ED25519", json["tlogs"]![0]!["publicKey"]!["keyDetails"]!.GetValue<string>());
    }

    [Fact]
    public void Write_WithAuthorities_ListsTheirChains()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using var ca = new CertificateRequest("CN=lab ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(start, start.AddYears(1));
        var root = TrustedRoot.Parse(TrustedRootDocument.Write("lab.example", WorkedExample.LogKey, start, [ca], [ca]));
        Assert.Equal(ca.RawData, Assert.Single(Assert.Single(root.CertificateAuthorities).Chain).RawData);
        Assert.Equal(start, root.TimestampAuthorities[0].ValidFor.Start);
    }
}
