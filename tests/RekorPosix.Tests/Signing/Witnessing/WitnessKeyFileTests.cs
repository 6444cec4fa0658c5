using System.Security.Cryptography;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Signing.Witnessing;

public class WitnessKeyFileTests
{
    private static Cosigner Load(string path, out bool created, bool allowInsecure = false, List<string>? warnings = null) =>
        WitnessKeyFile.LoadOrCreate(path, "witness.example/w1", allowInsecure, w => warnings?.Add(w), TimeProvider.System, out created);

    [Fact]
    public void AMissingKey_IsCreated0600_ThenLoadedAsTheSameKey()
    {
        using var dir = new TempDir();
        string path = dir["keys/witness.pem"];
        var first = Load(path, out bool created);
        Assert.True(created);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path));
        var again = Load(path, out bool createdAgain);
        Assert.False(createdAgain);
        Assert.Equal(first.VerifierKey, again.VerifierKey);
    }

    [Fact]
    public void ANonEd25519Key_IsRefused_NamingTheFile()
    {
        using var dir = new TempDir();
        string path = dir["ecdsa.pem"];
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            File.WriteAllText(path, ecdsa.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<KeyFileException>(() => Load(path, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains("must be Ed25519", e.Message);
    }

    [Fact]
    public void AKeyOthersMayRead_IsRefused_UnlessAllowed()
    {
        using var dir = new TempDir();
        string path = dir["witness.pem"];
        Load(path, out _);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Contains("chmod 600", Assert.Throws<KeyFileException>(() => Load(path, out _)).Message);
        var warnings = new List<string>();
        Load(path, out _, allowInsecure: true, warnings);
        Assert.Contains("chmod 600", Assert.Single(warnings));
    }
}
