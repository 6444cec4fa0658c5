using System.Security.Cryptography;
using RekorPosix.Tests.Support;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class ArtifactInputTests
{
    [Fact]
    public void Parse_AFile_HashesIt_AndCanHashItAgainWithAnotherAlgorithm()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["a"], "hello\n");
        var artifact = ArtifactInput.Parse(dir["a"]);
        Assert.Equal(SHA256.HashData("hello\n"u8), artifact.Sha256);
        Assert.Equal(SHA384.HashData("hello\n"u8), artifact.DigestWith("SHA2_384"));
        Assert.Equal(SHA512.HashData("hello\n"u8), artifact.DigestWith("SHA2_512"));
    }

    [Fact]
    public void Parse_ADigest_TakesIt_ButCannotMakeOtherDigests()
    {
        var artifact = ArtifactInput.Parse("sha256:" + new string('a', 64));
        Assert.Equal(Enumerable.Repeat((byte)0xaa, 32), artifact.Sha256);
        Assert.Equal(artifact.Sha256, artifact.DigestWith("SHA2_256"));
        Assert.Null(artifact.DigestWith("SHA2_384"));
    }

    [Theory]
    [InlineData("sha256:abc", "a digest is sha256: and 64 hex digits")]
    [InlineData("sha256:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "a digest is sha256: and 64 hex digits")]
    [InlineData("/no/such/file", "no such file, and not a sha256:<hex> digest")]
    public void Parse_RefusesWhatIsNeither(string input, string why)
    {
        Assert.EndsWith(why, Assert.Throws<ArgumentException>(() => ArtifactInput.Parse(input)).Message);
    }

    [Fact]
    public void DigestWith_AnUnknownAlgorithm_IsRejected()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["a"], "x");
        Assert.Equal("bundle: unsupported message digest algorithm \"MD5\"",
            Assert.Throws<BundleRejectedException>(() => ArtifactInput.Parse(dir["a"]).DigestWith("MD5")).Message);
    }
}
