using System.Text;
using RekorPosix.Log;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

public class LogAuditorTests
{
    private static INoteVerifier XmodVerifier() =>
        NoteVerifiers.FromVerifierKey(File.ReadAllText(TestData.PathOf("xmod-log/vkey")).Trim());

    private static AuditResult Audit(string dir, INoteVerifier verifier) =>
        PosixStorageCalls.Audit(dir, verifier);

    [Fact]
    public void TheTesseraLog_Passes()
    {
        var result = Audit(TestData.PathOf("tessera-log"), TestLogKey.Verifier());
        Assert.True(result.Ok, result.Message);
        Assert.Equal(15, result.Checkpoint!.Size);
    }

    [Fact]
    public void TheXmodLog_Passes_WithEveryTileChecked()
    {
        var result = Audit(TestData.PathOf("xmod-log/log"), XmodVerifier());
        Assert.True(result.Ok, result.Message);
        Assert.Equal(66000, result.Checkpoint!.Size);
        Assert.Equal(258, result.Bundles);
        // 257 full + 1 partial level-0 tiles, 1 full + 1 partial level-1, 1 partial level-2.
        Assert.Equal(261, result.Tiles);
    }

    [Theory]
    [InlineData("tile/0/005", 1000)]
    [InlineData("tile/0/257.p/208", 6000)]
    [InlineData("tile/1/000", 100)]
    [InlineData("tile/2/000.p/1", 3)]
    [InlineData("tile/entries/100", 2000)]
    [InlineData("tile/entries/257.p/208", 50)]
    public void AFlippedBit_IsFound_AndTheFileNamed(string file, int byteIndex)
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("xmod-log/log"), dir.Path);
        byte[] data = File.ReadAllBytes(dir[file]);
        data[byteIndex % data.Length] ^= 0x10;
        File.WriteAllBytes(dir[file], data);
        var result = Audit(dir.Path, XmodVerifier());
        Assert.False(result.Ok);
        // A flipped bundle byte shows up in the bundle itself or in the level-0 tile it hashes to.
        string expected = file.StartsWith("tile/entries/", StringComparison.Ordinal) ? file.Replace("entries/", "0/") : file;
        Assert.True(result.Message.Contains(file) || result.Message.Contains(expected), result.Message);
    }

    [Theory]
    [InlineData("tile/entries/042")]
    [InlineData("tile/0/257.p/208")]
    [InlineData("tile/1/001.p/1")]
    [InlineData("checkpoint")]
    public void AMissingFile_IsFound(string file)
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("xmod-log/log"), dir.Path);
        File.Delete(dir[file]);
        var result = Audit(dir.Path, XmodVerifier());
        Assert.False(result.Ok);
        Assert.Contains(file, result.Message);
    }

    [Fact]
    public void AReplacedRoot_FailsTheSignature()
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("xmod-log/log"), dir.Path);
        string note = File.ReadAllText(dir["checkpoint"]);
        File.WriteAllText(dir["checkpoint"], note.Replace("K3z7EOTbhCRwdfG5WdIiyRij8TN2uynSUEuXm56DBn8=", Convert.ToBase64String(new byte[32])));
        var result = Audit(dir.Path, XmodVerifier());
        Assert.False(result.Ok);
        Assert.StartsWith("checkpoint:", result.Message);
    }

    [Fact]
    public void AValidlySignedWrongRoot_IsFound()
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir.Path);
        var wrong = new Checkpoint(TestData.TesseraOrigin, 15, new byte[32], []);
        File.WriteAllText(dir["checkpoint"], TestLogKey.SignNote()(wrong.Format()));
        var result = Audit(dir.Path, TestLogKey.Verifier());
        Assert.False(result.Ok);
        Assert.Contains("claims root", result.Message);
    }

    [Fact]
    public void TheWrongKey_FailsTheSignature()
    {
        var result = Audit(TestData.PathOf("xmod-log/log"), TestLogKey.Verifier());
        Assert.False(result.Ok);
        Assert.StartsWith("checkpoint:", result.Message);
    }

    [Fact]
    public void ATreeStateBehindTheCheckpoint_IsFound()
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir.Path);
        File.WriteAllText(dir[".state/treeState"], "{\"size\":3,\"root\":\"Wqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKk=\"}");
        var result = Audit(dir.Path, TestLogKey.Verifier());
        Assert.False(result.Ok);
        Assert.Contains(".state/treeState", result.Message);
    }
}
