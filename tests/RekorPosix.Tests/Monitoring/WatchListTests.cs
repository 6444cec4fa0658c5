using System.Security.Cryptography;
using RekorPosix.Log.Entries;
using RekorPosix.Monitoring;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Monitoring;

public class WatchListTests
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly string KeyHex = Convert.ToHexStringLower(SHA256.HashData(Key.ExportSubjectPublicKeyInfo()));

    private static LoggedEntry Signed(string email, string? issuer, int digest = 1) =>
        LoggedEntryParser.Parse(RekorBodies.WithCertificate(FulcioCertificates.Create(Key, email: email, issuer: issuer), RekorBodies.Digest(digest)));

    private static List<string> Matches(string rules, LoggedEntry entry) => WatchList.Parse(rules).Match(entry).Select(r => r.Text).ToList();

    [Fact]
    public void AnIdentityRule_MatchesItsSan_AnyIssuer_OrOnlyTheOneNamed()
    {
        var entry = Signed("alice@example.com", "https://accounts.example.com");
        Assert.Equal(["san alice@example.com"], Matches("san alice@example.com", entry));
        Assert.Equal(["san alice@example.com issuer https://accounts.example.com"], Matches("san alice@example.com issuer https://accounts.example.com", entry));
        Assert.Empty(Matches("san alice@example.com issuer https://other.example", entry));
        Assert.Empty(Matches("san Alice@example.com", entry));
        Assert.Empty(Matches("san bob@example.com", entry));
    }

    [Fact]
    public void AKeyRule_MatchesTheCertificatesKey_InAnyCaseOfHex_WithOrWithoutItsPrefix()
    {
        var entry = Signed("alice@example.com", null);
        Assert.Equal([$"key {KeyHex}"], Matches($"key {KeyHex.ToUpperInvariant()}", entry));
        Assert.Equal([$"key {KeyHex}"], Matches($"key sha256:{KeyHex}", entry));
        Assert.Equal([$"key {KeyHex}"], Matches($"key {KeyHex}", LoggedEntryParser.Parse(RekorBodies.WithKey(Key.ExportSubjectPublicKeyInfo(), RekorBodies.Digest(2)))));
    }

    [Fact]
    public void ADigestRule_MatchesTheLoggedDigest()
    {
        string digest = "sha256:" + Convert.ToHexStringLower(RekorBodies.Digest(7));
        Assert.Equal([$"digest {digest}"], Matches($"digest {digest.ToUpperInvariant()}", Signed("a@example.com", null, digest: 7)));
        Assert.Empty(Matches($"digest {digest}", Signed("a@example.com", null, digest: 8)));
    }

    [Fact]
    public void EveryRuleAnEntryMatches_IsListedOnce_ARepeatedRuleByItsFirstLine_CommentsAndBlankLinesIgnored()
    {
        string rules = $"""
            # who we watch
            san alice@example.com

               key {KeyHex}
            san alice@example.com
            digest sha256:{Convert.ToHexStringLower(RekorBodies.Digest(1))}
            """;
        var matched = WatchList.Parse(rules).Match(Signed("alice@example.com", null));
        Assert.Equal([2, 4, 6], matched.Select(r => r.Line));
    }

    [Theory]
    [InlineData("sans alice@example.com", 1, "not a rule")]
    [InlineData("# ok\nsan", 2, "expected san IDENTITY [issuer URL]")]
    [InlineData("san a@example.com https://issuer", 1, "expected san IDENTITY [issuer URL]")]
    [InlineData("\n\nkey 1234", 3, "64 hex digits")]
    [InlineData("digest md5:d41d8cd98f00b204e9800998ecf8427e", 1, "expected digest ALG:HEX")]
    [InlineData("digest sha256:zz", 1, "expected digest ALG:HEX")]
    public void ALineThatIsNoRule_IsAnError_NamingItsNumber(string rules, int line, string problem)
    {
        var error = Assert.Throws<FormatException>(() => WatchList.Parse(rules));
        Assert.StartsWith($"line {line}: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void AHugeBadLine_IsQuotedOnlyInPart()
    {
        var error = Assert.Throws<FormatException>(() => WatchList.Parse("bogus " + new string('x', 100_000)));
        Assert.True(error.Message.Length < 300, error.Message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
