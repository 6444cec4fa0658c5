using System.CommandLine;
using RekorPosix.Commands;
using RekorPosix.Tests.Support;
using RekorPosix.Tests.Verification;

namespace RekorPosix.Tests.Commands;

public class TrustedRootCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TrustedRoot_FromAVerifierKey_IsTheLogsTrustedRoot()
    {
        var stdout = new MemoryStream();
        var vkey = WorkedExample.LogKey.VerifierKey(WorkedExample.Origin);
        Assert.Equal(0, new TrustedRootCommand(stdout, new StringWriter()).Command.Parse(["--vkey", vkey]).Invoke());
        Assert.Equal(WorkedExample.TrustedRoot, stdout.ToArray());
    }

    [Fact]
    public void TrustedRoot_TakesTheVerifierKeyFromAFile_AndWritesToOutput()
    {
        File.WriteAllText(_dir["log.vkey"], WorkedExample.LogKey.VerifierKey(WorkedExample.Origin) + "\n");
        Assert.Equal(0, new TrustedRootCommand(null, new StringWriter()).Command.Parse(["--vkey", _dir["log.vkey"], "--output", _dir["root.json"]]).Invoke());
        Assert.Equal(WorkedExample.TrustedRoot, File.ReadAllBytes(_dir["root.json"]));
    }

    [Theory]
    [InlineData("--vkey", "not-a-vkey", "malformed verifier key")]
    [InlineData("--log-start", "soon", "--log-start soon: not an RFC 3339 time")]
    [InlineData("--ca-chain", "/no/such.pem", "such.pem")]
    public void TrustedRoot_WithBadInput_ExitsTwo(string flag, string value, string why)
    {
        var stderr = new StringWriter();
        string[] args = flag == "--vkey" ? ["--vkey", value] : ["--vkey", WorkedExample.LogKey.VerifierKey(WorkedExample.Origin), flag, value];
        Assert.Equal(2, new TrustedRootCommand(new MemoryStream(), stderr).Command.Parse(args).Invoke());
        Assert.Contains(why, stderr.ToString());
    }
}
