using System.Security.Cryptography;
using System.Text.Json;
using RekorPosix.Log.Entries;
using RekorPosix.Monitoring;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Monitoring;

public class FindingReportTests
{
    private static readonly VerifiedCheckpoint Checkpoint =
        VerifiedCheckpoint.Verify(File.ReadAllBytes(TestData.PathOf("tessera-log/checkpoint")), TestLogKey.Verifier());

    private static JsonElement Line(EntryFinding finding)
    {
        var output = new StringWriter();
        new FindingReport(output).Write(finding, Checkpoint);
        string text = output.ToString();
        Assert.EndsWith("\n", text);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public void AMatch_NamesTheEntry_ItsRules_AndItsSigners()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var entry = LoggedEntryParser.Parse(RekorBodies.WithCertificate(
            FulcioCertificates.Create(key, email: "alice@example.com", issuer: "https://accounts.example.com"), RekorBodies.Digest(3)));
        var line = Line(EntryFinding.Match(12, entry, [new WatchRule(1, "san alice@example.com")]));

        Assert.Equal("match", line.GetProperty("event").GetString());
        Assert.Equal(12, line.GetProperty("index").GetInt64());
        Assert.Equal("example.com/log/testdata", line.GetProperty("origin").GetString());
        Assert.Equal(15, line.GetProperty("treeSize").GetInt64());
        Assert.Equal("hashedrekord", line.GetProperty("kind").GetString());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(RekorBodies.Digest(3)), line.GetProperty("digest").GetString());
        Assert.Equal("san alice@example.com", line.GetProperty("rules")[0].GetString());
        var signer = line.GetProperty("signers")[0];
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), signer.GetProperty("keySha256").GetString());
        Assert.Equal("alice@example.com", signer.GetProperty("san")[0].GetString());
        Assert.Equal("https://accounts.example.com", signer.GetProperty("issuer").GetString());
    }

    [Fact]
    public void AMalformedEntry_SaysWhy()
    {
        var line = Line(EntryFinding.Malformed(3, "not JSON: 'x' is an invalid start of a value."));
        Assert.Equal("malformed", line.GetProperty("event").GetString());
        Assert.Equal(3, line.GetProperty("index").GetInt64());
        Assert.Equal("not JSON: 'x' is an invalid start of a value.", line.GetProperty("problem").GetString());
        Assert.False(line.TryGetProperty("rules", out _));
    }

    [Fact]
    public void IdentitiesFromTheEntry_AreCut_AndCannotBreakTheLine()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string hostile = "x\n{\"event\":\"match\"}" + new string('y', 5000);
        var entry = LoggedEntryParser.Parse(RekorBodies.WithCertificate(FulcioCertificates.Create(key, username: hostile), RekorBodies.Digest(3)));
        var line = Line(EntryFinding.Match(1, entry, [new WatchRule(1, "key 00")]));

        string san = line.GetProperty("signers")[0].GetProperty("san")[0].GetString()!;
        Assert.StartsWith("xU+000A{\"event\"", san);
        Assert.True(san.Length <= 257, san.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
