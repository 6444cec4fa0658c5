using RekorPosix.Signing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Signing;

public class SignerKeyFileTests
{
    [Fact]
    public void Load_RefusesAKeyOthersCanRead_AndSaysHowToFixIt()
    {
        using var dir = new TempDir();
        string path = KeyFilePermissionsTests.WithMode(dir["key.pem"], "644");
        var warnings = new List<string>();
        var e = Assert.Throws<KeyFileException>(() => SignerKeyFile.Load(path, null, allowInsecurePermissions: false, warnings.Add));
        Assert.Contains(path, e.Message);
        Assert.Contains("0644", e.Message);
        Assert.Contains("chmod 600", e.Message);
        Assert.Contains("--allow-insecure-key-permissions", e.Message);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Load_WhenAllowed_WarnsAndLoads()
    {
        using var dir = new TempDir();
        string path = KeyFilePermissionsTests.WithMode(dir["key.pem"], "640");
        var warnings = new List<string>();
        using var key = SignerKeyFile.Load(path, null, allowInsecurePermissions: true, warnings.Add);
        Assert.Equal(LogKeyType.Ed25519, key.KeyType);
        Assert.Contains("0640", Assert.Single(warnings));
    }

    [Fact]
    public void Load_APrivateKey_NeitherWarnsNorRefuses()
    {
        var warnings = new List<string>();
        using var key = SignerKeyFile.Load(TestLogKey.PemPath, null, allowInsecurePermissions: false, warnings.Add);
        Assert.Equal(TestData.TesseraVkey, key.VerifierKey(TestData.TesseraOrigin));
        Assert.Empty(warnings);
    }

    [Fact]
    public void LoadOrGenerate_WritesA0600Key_ThenLoadsTheSameOne()
    {
        using var dir = new TempDir();
        string path = dir["data/signer.pem"];
        using var first = SignerKeyFile.LoadOrGenerate(path, null, false, _ => Assert.Fail("no warning expected"), out bool generated);
        Assert.True(generated);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var second = SignerKeyFile.LoadOrGenerate(path, null, false, _ => Assert.Fail("no warning expected"), out generated);
        Assert.False(generated);
        Assert.Equal(first.SubjectPublicKeyInfo, second.SubjectPublicKeyInfo);
    }

    [Fact]
    public void LoadOrGenerate_RefusesAnExistingKeyOthersCanRead()
    {
        using var dir = new TempDir();
        string path = KeyFilePermissionsTests.WithMode(dir["signer.pem"], "644");
        Assert.Throws<KeyFileException>(() => SignerKeyFile.LoadOrGenerate(path, null, false, _ => { }, out _));
    }
}
