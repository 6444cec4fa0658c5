using RekorPosix.Http;
using RekorPosix.Signing;
using RekorPosix.Tests.Signing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

/// <summary><c>serve</c> and <c>add</c> with a signer key that group or others can read.</summary>
public class ServeKeyPermissionsTests
{
    [Fact]
    public async Task Serve_RefusesTheKey_BeforeOpeningTheLog()
    {
        using var dir = new TempDir();
        string key = KeyFilePermissionsTests.WithMode(dir["key.pem"], "644");
        var settings = new ServeSettings { Storage = new() { StorageDir = dir["log"] }, SignerFile = key, Hostname = "example.test", HttpPort = 1, GrpcPort = 2 };
        Assert.Equal(2, await Server.RunAsync(settings, CancellationToken.None));
        Assert.False(Directory.Exists(dir["log"]));
    }

    [Fact]
    public async Task Serve_WithTheFlag_StartsAnyway()
    {
        using var dir = new TempDir();
        string key = KeyFilePermissionsTests.WithMode(dir["key.pem"], "644");
        await using var server = await RunningServer.StartAsync(dir["log"], s => s with { SignerFile = key, AllowInsecureKeyPermissions = true });
        Assert.Equal(0, await server.StopAsync());
        Assert.True(File.Exists(dir["log/checkpoint"]));
    }

    [Fact]
    public void Add_NativeOrDotnet_RefusesTheKey_AndTheFlagAllowsIt()
    {
        using var dir = new TempDir();
        string key = KeyFilePermissionsTests.WithMode(dir["key.pem"], "604");
        File.WriteAllText(dir["entry"], "one entry");
        var (code, _, err) = ServerBinary.Run("add", "--storage-dir", dir["log"], "--signer-filepath", key,
            "--hostname", TestData.TesseraOrigin, dir["entry"]);
        Assert.Equal(1, code);
        Assert.Contains("chmod 600", err);
        (code, _, err) = ServerBinary.Run("add", "--storage-dir", dir["log"], "--signer-filepath", key,
            "--hostname", TestData.TesseraOrigin, SignerKeyFile.AllowInsecureFlag, dir["entry"]);
        Assert.True(code == 0, err);
        Assert.Contains("warning", err);
    }
}
