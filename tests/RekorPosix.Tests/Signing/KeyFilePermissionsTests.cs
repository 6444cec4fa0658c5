using RekorPosix.Signing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Signing;

public class KeyFilePermissionsTests
{
    [Theory]
    [InlineData("600")]
    [InlineData("400")]
    [InlineData("700")]
    public void OwnerOnly_IsFine(string mode)
    {
        using var dir = new TempDir();
        string path = WithMode(dir["key.pem"], mode);
        Assert.Null(KeyFilePermissions.Problem(path));
    }

    [Theory]
    [InlineData("644", "0644")]
    [InlineData("640", "0640")]
    [InlineData("604", "0604")]
    [InlineData("620", "0620")]
    [InlineData("602", "0602")]
    [InlineData("610", "0610")]
    public void GroupOrOthers_IsAProblem_NamingFileModeAndFix(string mode, string shown)
    {
        using var dir = new TempDir();
        string path = WithMode(dir["key.pem"], mode);
        string? problem = KeyFilePermissions.Problem(path);
        Assert.NotNull(problem);
        Assert.Contains(path, problem);
        Assert.Contains($"mode {shown}", problem);
        Assert.Contains($"chmod 600 {path}", problem);
    }

    [Fact]
    public void ASymlink_IsJudgedByItsTarget()
    {
        using var dir = new TempDir();
        string target = WithMode(dir["key.pem"], "600");
        File.CreateSymbolicLink(dir["link.pem"], target);
        Assert.Null(KeyFilePermissions.Problem(dir["link.pem"]));
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Contains("0604", KeyFilePermissions.Problem(dir["link.pem"]));
    }

    [Fact]
    public void ASystemdCredential_IsNotJudgedByItsGroupBits()
    {
        // LoadCredential= writes 0400 and adds an ACL for the service user: stat shows the mask as r--.
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["credentials"]);
        string path = WithMode(dir["credentials/signer.key"], "440");
        Assert.Null(KeyFilePermissions.Problem(path, dir["credentials"]));
        Assert.Null(KeyFilePermissions.Problem(path, dir["credentials"] + "/"));
        Assert.NotNull(KeyFilePermissions.Problem(path, null));
        Assert.NotNull(KeyFilePermissions.Problem(path, dir["cred"]));
    }

    [Fact]
    public void AMissingFile_IsLeftToTheLoader()
    {
        using var dir = new TempDir();
        Assert.Null(KeyFilePermissions.Problem(dir["absent.pem"]));
    }

    internal static string WithMode(string path, string octal)
    {
        File.WriteAllText(path, File.ReadAllText(TestData.PathOf("tessera-log-key.pem")));
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));
        return path;
    }
}
