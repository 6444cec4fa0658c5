using RekorPosix.Http;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

public class FlagSourcesTests
{
    private static readonly string[] Flags = ["--http-port", "--read-only", "--hostname", "--client-signing-algorithms"];

    [Fact]
    public void TheCommandLineWins_ThenTheEnvironment_ThenTheFile()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["rekor.conf"], "# settings\nhttp-port = 4000\nhostname: \"from.file\"\nread-only = true\n");
        var env = new Dictionary<string, string> { ["REKOR_HOSTNAME"] = "from.env", ["REKOR_HTTP_PORT"] = "5000" };
        string[] args = FlagSources.Expand(["serve", "--config", dir["rekor.conf"], "--http-port", "6000"], Flags, env.GetValueOrDefault);
        Assert.Equal(["serve", "--http-port", "6000", "--read-only=true", "--hostname=from.env"], args);
    }

    [Fact]
    public void TheConfigFile_CanComeFromTheEnvironment()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["c"], "client-signing-algorithms = ecdsa-sha2-256-nistp256,ed25519-ph\n");
        var env = new Dictionary<string, string> { ["REKOR_CONFIG"] = dir["c"] };
        Assert.Equal(["serve", "--client-signing-algorithms=ecdsa-sha2-256-nistp256,ed25519-ph"],
            FlagSources.Expand(["serve"], Flags, env.GetValueOrDefault));
    }

    [Theory]
    [InlineData("bogus = 1\n", "unknown setting \"bogus\"")]
    [InlineData("http-port\n", "expected \"name = value\"")]
    [InlineData("http-port = 1\nhttp-port = 2\n", "set twice")]
    public void BadConfigFiles_AreRefusedWithTheLine(string text, string message)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["c"], text);
        var error = Assert.Throws<FormatException>(() => FlagSources.Expand(["serve", "--config=" + dir["c"]], Flags, _ => null));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void VariableNames_FollowTheFlag()
    {
        Assert.Equal("REKOR_HTTP_METRICS_PORT", FlagSources.VariableName("--http-metrics-port"));
    }
}
