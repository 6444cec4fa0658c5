using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Signing.Witnessing;

public class WitnessPolicyTests
{
    private static string W(string name, byte fill) => $"witness {name} {WitnessKeyTests.CosignatureVkey(name + ".example", fill)} https://{name}.example/w";

    private static string Policy(params string[] lines) => string.Join('\n', lines) + "\n";

    private static string Refusal(string text) => Assert.Throws<FormatException>(() => WitnessPolicy.Parse(text)).Message;

    [Fact]
    public void Parse_WitnessesGroupsAndQuorum_AsTesseraReadsThem()
    {
        var policy = WitnessPolicy.Parse(Policy(
            "# a comment line",
            "log example.com/log+12345678+AQ== https://ignored.example   # logs are ignored",
            W("a", 1), W("b", 2), "\t" + W("c", 3),
            "group two-of-three 2 a b c",
            "group either any two-of-three a",
            "",
            "quorum either"));

        Assert.Equal(["a", "b", "c"], policy.Witnesses.Select(w => w.Name));
        Assert.Equal(new Uri("https://a.example/w"), policy.Witnesses[0].Url);
        var quorum = Assert.IsType<PolicyGroup>(policy.Quorum);
        Assert.Equal(("either", 1), (quorum.Name, quorum.Threshold));
        Assert.Equal(2, Assert.IsType<PolicyGroup>(quorum.Members[0]).Threshold);
    }

    [Theory]
    [InlineData("a", true)]      // a alone makes "either"
    [InlineData("b,c", true)]    // two of three
    [InlineData("b", false)]
    [InlineData("", false)]
    public void IsSatisfiedBy_EvaluatesThresholdsThroughNestedGroups(string cosigners, bool expected)
    {
        var policy = WitnessPolicy.Parse(Policy(W("a", 1), W("b", 2), W("c", 3),
            "group two-of-three 2 a b c", "group either any two-of-three a", "quorum either"));
        var signed = cosigners.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();

        Assert.Equal(expected, policy.IsSatisfiedBy(w => signed.Contains(w.Name)));
    }

    [Fact]
    public void All_RequiresEveryMember_AndALoneWitnessCanBeTheQuorum()
    {
        var all = WitnessPolicy.Parse(Policy(W("a", 1), W("b", 2), "group g all a b", "quorum g"));
        var lone = WitnessPolicy.Parse(Policy(W("a", 1), W("b", 2), "quorum b"));

        Assert.False(all.IsSatisfiedBy(w => w.Name == "a"));
        Assert.True(all.IsSatisfiedBy(_ => true));
        Assert.Equal(["b"], lone.Witnesses.Select(w => w.Name));
        Assert.True(lone.IsSatisfiedBy(w => w.Name == "b"));
    }

    [Fact]
    public void QuorumNone_NeedsNoWitness_AndContactsNone()
    {
        var policy = WitnessPolicy.Parse(Policy(W("a", 1), "quorum none"));

        Assert.Null(policy.Quorum);
        Assert.Empty(policy.Witnesses);
        Assert.True(policy.IsSatisfiedBy(_ => false));
    }

    [Theory]
    [InlineData("unknown keyword \"witnesses\"", "witnesses a b c", "quorum none")]
    [InlineData("has no URL", "witness a a.example+00000000+AQ==", "quorum none")]
    [InlineData("not defined", "quorum nobody")]
    [InlineData("not defined", "group g any later", "quorum g")]
    [InlineData("no quorum line", "# nothing else")]
    [InlineData("a second quorum line", "quorum none", "quorum none")]
    [InlineData("expected: quorum NAME", "quorum")]
    [InlineData("expected: group NAME", "group g any")]
    public void Parse_Refuses_WithTheLineAndWhy(string expected, params string[] lines)
    {
        Assert.Contains(expected, Refusal(Policy(lines)));
    }

    [Fact]
    public void Parse_Refusals_NameTheLine()
    {
        Assert.StartsWith("line 3: ", Refusal(Policy(W("a", 1), "", "quorum nobody")));
    }

    [Fact]
    public void Parse_RefusesDuplicatesAndKeywordsAsNames()
    {
        Assert.Contains("defined twice", Refusal(Policy(W("a", 1), W("a", 2), "quorum a")));
        Assert.Contains("is a keyword", Refusal(Policy(W("any", 1), "quorum none")));
        Assert.Contains("given twice", Refusal(Policy(W("a", 1), W("a", 1).Replace("witness a ", "witness b ").Replace("a.example/w", "b.example/w"), "quorum none")));
        Assert.Contains("witness a's too", Refusal(Policy(W("a", 1), W("b", 2).Replace("https://b.example/w", "https://a.example/w"), "quorum none")));
        Assert.Contains("a member twice", Refusal(Policy(W("a", 1), "group g 1 a a", "quorum g")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData("-1")]
    [InlineData("two")]
    public void Parse_RefusesThresholdsOutsideOneToN(string k)
    {
        string message = Refusal(Policy(W("a", 1), W("b", 2), $"group g {k} a b", "quorum g"));
        Assert.Contains("group g", message);
    }

    [Theory]
    [InlineData("ftp://a.example/w")]
    [InlineData("a.example/w")]
    [InlineData("https://a.example/w?x=1")]
    public void Parse_RefusesUrlsThatAreNotHttpPrefixes(string url)
    {
        Assert.Contains("not an http(s) URL prefix", Refusal(Policy(W("a", 1).Replace("https://a.example/w", url), "quorum none")));
    }

    [Fact]
    public void Parse_RefusesControlCharacters_ButTakesTabsAndCrlf()
    {
        Assert.Contains("control character", Refusal("quorum\u000bnone\n"));
        Assert.Null(WitnessPolicy.Parse("quorum\tnone\r\n").Quorum);
    }

    [Fact]
    public void Parse_AnMlDsaWitness_IsAccepted_BesideAnEd25519One()
    {
        var ml = TestWitness.MlDsa44("ml.example", TimeProvider.System);
        var ed = TestWitness.Ed25519("ed.example", TimeProvider.System);

        var policy = WitnessPolicy.Parse(Policy(
            $"witness ml {ml.VerifierKey} https://ml.example/w",
            $"witness ed {ed.VerifierKey} https://ed.example/w",
            "group both all ml ed", "quorum both"));

        Assert.Equal([WitnessKey.MlDsa44Type, WitnessKey.CosignatureType], policy.Witnesses.Select(w => w.Key.Type));
        Assert.Equal(ml.KeyId, policy.Witnesses[0].Key.KeyId);
    }

    [Fact]
    public void Parse_AnMlDsaWitnessKeyOfAnotherLength_IsRefusedAtTheLine()
    {
        string vkey = WitnessKeyTests.CosignatureVkey("a.example", type: WitnessKey.MlDsa44Type);
        Assert.Contains("line 1: verifier key of a.example: an ML-DSA-44 key has 1312 bytes", Refusal(Policy($"witness a {vkey} https://a.example/w", "quorum a")));
    }

    [Fact]
    public void AVerifiersPolicy_MayLeaveTheUrlsOut()
    {
        string policy = Policy($"witness a {WitnessKeyTests.CosignatureVkey("a.example", 1)}", W("b", 2), "group g all a b", "quorum g");

        var parsed = WitnessPolicy.Parse(policy, requireUrls: false);

        Assert.Null(parsed.Witnesses[0].Url);
        Assert.Equal(new Uri("https://b.example/w"), parsed.Witnesses[1].Url);
        Assert.Contains("has no URL", Refusal(policy), StringComparison.Ordinal);
    }
}
