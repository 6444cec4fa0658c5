using System.CommandLine;
using RekorPosix.Commands;
using RekorPosix.Tests.Support;
using RekorPosix.Tests.Verification;

namespace RekorPosix.Tests.Commands;

/// <summary><c>verify-bundle</c> end to end: the conformance protocol's flags and exit codes.</summary>
public class VerifyBundleCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = new VerifyBundleCommand(stdout, stderr).Command.Parse(args).Invoke();
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string[] Conformance(string name, params string[] more) =>
    [
        "--bundle", Path.Combine(SigstoreCases.Dir(name), "bundle.sigstore.json"),
        "--trusted-root", Path.Combine(SigstoreCases.Dir(name), "trusted_root.json"),
        "--certificate-identity", SigstoreCases.Identity, "--certificate-oidc-issuer", SigstoreCases.Issuer,
        .. more, SigstoreCases.ConformanceArtifact,
    ];

    [Fact]
    public void AVerifyingBundle_ExitsZero_AndSaysWhatWasVerified()
    {
        var (code, stdout, stderr) = Run(Conformance("rekor2-happy-path"));
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains($"signed by {SigstoreCases.Identity} ({SigstoreCases.Issuer}), timestamped 2025-06-12 12:02:20Z, logged at index 735", stdout);
    }

    [Fact]
    public void AFailingBundle_ExitsOne_WithOneLineSayingWhy()
    {
        var (code, stdout, stderr) = Run(Conformance("rekor2-no-inclusion-proof_fail"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("verify-bundle: FAILED: log entry 735: no inclusion proof (a Rekor v2 entry is proven by one)\n", stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void AKeySignedBundle_VerifiesWithKey()
    {
        File.WriteAllText(_dir["key.pem"], WorkedExample.SignerKeyPem);
        File.WriteAllBytes(_dir["root.json"], WorkedExample.TrustedRoot);
        File.WriteAllBytes(_dir["bundle.json"], RekorPosix.Verification.LogEntryBundle.FromResponse(File.ReadAllBytes(WorkedExample.ResponsePath)));
        var (code, stdout, _) = Run("--bundle", _dir["bundle.json"], "--key", _dir["key.pem"], "--trusted-root", _dir["root.json"], WorkedExample.ArtifactDigest);
        Assert.Equal(0, code);
        Assert.StartsWith($"OK: {WorkedExample.ArtifactDigest} signed by the given key, logged at index 0", stdout);
    }

    [Fact]
    public void ACertificateBundle_WithKey_Fails()
    {
        File.WriteAllText(_dir["key.pem"], WorkedExample.SignerKeyPem);
        var (code, _, stderr) = Run("--bundle", Path.Combine(SigstoreCases.Dir("rekor2-happy-path"), "bundle.sigstore.json"), "--key", _dir["key.pem"],
            "--trusted-root", Path.Combine(SigstoreCases.Dir("rekor2-happy-path"), "trusted_root.json"), SigstoreCases.ConformanceArtifact);
        Assert.Equal(1, code);
        Assert.Contains("the bundle is signed with a certificate", stderr);
    }

    [Theory]
    [InlineData("no trusted root", "--trusted-root FILE is required")]
    [InlineData("no signer", "say who must have signed")]
    [InlineData("key and identity", "give either --key or --certificate-identity")]
    [InlineData("bad artifact", "no such file, and not a sha256:<hex> digest")]
    [InlineData("bad root", "--trusted-root ")]
    [InlineData("bad key", "not a PEM \"PUBLIC KEY\"")]
    public void AnInputProblem_ExitsTwo(string what, string why)
    {
        File.WriteAllText(_dir["bad.json"], "{\"tlogs\":7}");
        File.WriteAllText(_dir["bad.pem"], "hello");
        var bundle = Path.Combine(SigstoreCases.Dir("rekor2-happy-path"), "bundle.sigstore.json");
        var root = Path.Combine(SigstoreCases.Dir("rekor2-happy-path"), "trusted_root.json");
        string[] args = what switch
        {
            "no trusted root" => ["--bundle", bundle, "--certificate-identity", "x", "--certificate-oidc-issuer", "y", SigstoreCases.ConformanceArtifact],
            "no signer" => ["--bundle", bundle, "--trusted-root", root, SigstoreCases.ConformanceArtifact],
            "key and identity" => ["--bundle", bundle, "--trusted-root", root, "--key", _dir["bad.pem"], "--certificate-identity", "x", SigstoreCases.ConformanceArtifact],
            "bad artifact" => Conformance("rekor2-happy-path")[..^1].Append(_dir["missing"]).ToArray(),
            "bad root" => ["--bundle", bundle, "--trusted-root", _dir["bad.json"], "--certificate-identity", "x", "--certificate-oidc-issuer", "y", SigstoreCases.ConformanceArtifact],
            _ => ["--bundle", bundle, "--trusted-root", root, "--key", _dir["bad.pem"], SigstoreCases.ConformanceArtifact],
        };
        var (code, _, stderr) = Run(args);
        Assert.True(code == 2, $"{what}: exit {code}, {stderr}");
        Assert.Contains(why, stderr);
    }

    [Fact]
    public void AnUnreadableBundle_Fails_NamingTheFile()
    {
        File.WriteAllText(_dir["bundle.json"], "not json");
        var args = Conformance("rekor2-happy-path");
        args[1] = _dir["bundle.json"];
        var (code, _, stderr) = Run(args);
        Assert.Equal(1, code);
        Assert.StartsWith($"verify-bundle: FAILED: {_dir["bundle.json"]}: the bundle is not JSON", stderr);
    }
}
