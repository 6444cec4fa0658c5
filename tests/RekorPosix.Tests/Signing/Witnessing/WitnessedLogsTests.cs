using System.Security.Cryptography;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Signing.Witnessing;

public class WitnessedLogsTests
{
    [Fact]
    public void Parse_SkipsCommentsAndBlankLines_AndTakesCrLf()
    {
        var logs = WitnessedLogs.Parse($"# logs\r\n\r\n   # indented comment\n  {TestData.TesseraVkey}  \r\n", "logs.txt");
        Assert.Equal([TestData.TesseraOrigin], logs.Origins);
        var key = Assert.Single(logs.VerifiersOf(TestData.TesseraOrigin)!);
        Assert.Equal(0x33d7b496u, key.KeyId);
    }

    [Fact]
    public void Parse_TakesSeveralKeysForOneOrigin_AndSeveralLogs()
    {
        using var rotated = LogSigningKey.GenerateEd25519();
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ecdsa = LogSigningKey.FromPem(ec.ExportPkcs8PrivateKeyPem());
        string text = $"{TestData.TesseraVkey}\n{rotated.VerifierKey(TestData.TesseraOrigin)}\n{ecdsa.VerifierKey("other.example/log")}\n";
        var logs = WitnessedLogs.Parse(text, "logs.txt");
        Assert.Equal(2, logs.VerifiersOf(TestData.TesseraOrigin)!.Count);
        Assert.Single(logs.VerifiersOf("other.example/log")!);
        Assert.Null(logs.VerifiersOf("unknown.example/log"));
    }

    [Fact]
    public void Parse_NamesTheFileAndLine_OfAKeyItCannotRead()
    {
        var e = Assert.Throws<FormatException>(() => WitnessedLogs.Parse($"# one\n{TestData.TesseraVkey}\n\nexample.com/log+zzzz+AAAA\n", "/etc/logs"));
        Assert.StartsWith("/etc/logs line 4: ", e.Message);
        Assert.Contains("key ID", e.Message);
    }

    [Fact]
    public void Parse_RefusesACosignatureKey_ForItIsNoLogKey()
    {
        var witness = WitnessedTestLog.NewCosigner();
        var e = Assert.Throws<FormatException>(() => WitnessedLogs.Parse(witness.VerifierKey, "logs"));
        Assert.StartsWith("logs line 1: ", e.Message);
        Assert.Contains("0x04", e.Message);
    }

    [Fact]
    public void Parse_RefusesAKeyListedTwice()
    {
        var e = Assert.Throws<FormatException>(() => WitnessedLogs.Parse($"{TestData.TesseraVkey}\n#\n{TestData.TesseraVkey}\n", "logs"));
        Assert.Equal($"logs line 3: the key {TestData.TesseraOrigin}+33d7b496 is listed already on line 1", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing yet\n\n")]
    public void Parse_RefusesAFileWithNoLog(string text)
    {
        var e = Assert.Throws<FormatException>(() => WitnessedLogs.Parse(text, "logs"));
        Assert.Contains("lists no log", e.Message);
    }
}
