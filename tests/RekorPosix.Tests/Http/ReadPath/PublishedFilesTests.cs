using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http.ReadPath;

public class PublishedFilesTests
{
    private static readonly byte[] Note = "example\n300\nroot\n\n— sig\n"u8.ToArray();

    private static PublishedFiles Files(TempDir dir, long? size) =>
        new(dir.Path, () => size is { } s ? new PublishedCheckpoint(s, Note) : null, NullLogger.Instance);

    private static ReadResult Open(PublishedFiles files, string path)
    {
        Assert.True(ReadRoute.TryParse("/" + path, out var route), path);
        return files.Open(route, Encoding.ASCII.GetBytes(path));
    }

    private static void Write(TempDir dir, string path, int length)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(dir[path])!);
        File.WriteAllBytes(dir[path], Enumerable.Range(0, length).Select(i => (byte)i).ToArray());
    }

    private static byte[] ReadAll(ReadResult result)
    {
        using var handle = new SafeFileHandle(result.Fd, ownsHandle: true);
        var bytes = new byte[result.Length];
        Assert.Equal(bytes.Length, RandomAccess.Read(handle, bytes, 0));
        return bytes;
    }

    [Fact]
    public void TheCheckpoint_IsThePublishedNote()
    {
        using var dir = new TempDir();
        using var files = Files(dir, 300);
        var result = Open(files, "checkpoint");
        Assert.Equal(ReadStatus.Found, result.Status);
        Assert.True(result.IsCheckpoint);
        Assert.Same(Note, result.Body);
        Assert.Equal(Note.Length, result.Length);
        Assert.Equal(-1, result.Fd);
    }

    [Fact]
    public void ACosignedCheckpointFile_IsServedByteForByte()
    {
        // --read-only serves the checkpoint file, witness lines and all.
        using var dir = new TempDir();
        TestWitness.WriteCosignedTesseraLog(dir.Path, TestWitness.Ed25519("w.example/ed", TimeProvider.System),
            TestWitness.MlDsa44("w.example/ml", TimeProvider.System));
        using var files = new PublishedFiles(dir.Path, new CheckpointFile(dir["checkpoint"], TimeSpan.Zero).Current, NullLogger.Instance);

        var result = Open(files, "checkpoint");

        Assert.True(result.IsCheckpoint);
        Assert.Equal(File.ReadAllBytes(dir["checkpoint"]), result.Body);
        Assert.Equal(3, SignedNote.Parse(result.Body!).Signatures.Count); // the log's and two witnesses'
    }

    [Fact]
    public void BeforeAnyPublication_NothingIsServed()
    {
        using var dir = new TempDir();
        Write(dir, "tile/0/000.p/1", 32);
        using var files = Files(dir, null);
        Assert.Equal(ReadStatus.NotFound, Open(files, "checkpoint").Status);
        Assert.Equal(ReadStatus.NotFound, Open(files, "tile/0/000.p/1").Status);
    }

    [Fact]
    public void PublishedFiles_AreOpened_AtTheirServedLength()
    {
        using var dir = new TempDir();
        Write(dir, "tile/0/000", 8192);
        Write(dir, "tile/entries/001.p/44", 1000);
        using var files = Files(dir, 300);
        var tile = Open(files, "tile/0/000");
        Assert.Equal(ReadStatus.Found, tile.Status);
        Assert.Equal(File.ReadAllBytes(dir["tile/0/000"]), ReadAll(tile));
        var bundle = Open(files, "tile/entries/001.p/44");
        Assert.Equal(1000, bundle.Length);
        Assert.Equal(File.ReadAllBytes(dir["tile/entries/001.p/44"]), ReadAll(bundle));
    }

    [Theory]
    [InlineData("tile/0/001")] // an orphan full tile: 300 entries fill only tile 0
    [InlineData("tile/entries/001")]
    [InlineData("tile/0/001.p/45")] // wider than published
    [InlineData("tile/1/000.p/2")]
    public void UnpublishedFiles_AreNotFound_EvenWhenOnDisk(string path)
    {
        using var dir = new TempDir();
        Write(dir, path, 16384);
        using var files = Files(dir, 300);
        Assert.Equal(ReadStatus.NotFound, Open(files, path).Status);
    }

    [Fact]
    public void MissingFiles_AreNotFound()
    {
        using var dir = new TempDir();
        using var files = Files(dir, 300);
        Assert.Equal(ReadStatus.NotFound, Open(files, "tile/0/000").Status);
        Assert.Equal(ReadStatus.NotFound, Open(files, "tile/0/001.p/44").Status);
    }

    [Fact]
    public void Symlinks_DirectoriesAndFifos_AreNotServed()
    {
        using var dir = new TempDir();
        Write(dir, "secret", 8192);
        Directory.CreateDirectory(dir["tile/0"]);
        File.CreateSymbolicLink(dir["tile/0/000"], dir["secret"]);
        Directory.CreateDirectory(dir["tile/entries/000"]);
        Directory.CreateDirectory(dir["tile/0/001.p"]);
        using (var mkfifo = Process.Start("mkfifo", dir["tile/0/001.p/44"]))
            mkfifo.WaitForExit();
        using var files = Files(dir, 300);
        Assert.Equal(ReadStatus.NotFound, Open(files, "tile/0/000").Status);
        Assert.Equal(ReadStatus.NotFound, Open(files, "tile/entries/000").Status);
        Assert.Equal(ReadStatus.NotFound, Open(files, "tile/0/001.p/44").Status);
    }

    [Fact]
    public void AShortFile_IsDamaged_NotServed()
    {
        using var dir = new TempDir();
        Write(dir, "tile/0/000", 8191);
        Write(dir, "tile/entries/001.p/44", 87);
        using var files = Files(dir, 300);
        Assert.Equal(ReadStatus.Damaged, Open(files, "tile/0/000").Status);
        Assert.Equal(ReadStatus.Damaged, Open(files, "tile/entries/001.p/44").Status);
    }

    [Theory]
    [InlineData("tile/0/000", 8192, 8192)]
    [InlineData("tile/0/000", 9000, 8192)] // never more than W hashes
    [InlineData("tile/0/000", 8191, -1)]
    [InlineData("tile/3/000.p/7", 224, 224)]
    [InlineData("tile/3/000.p/7", 8192, 224)]
    [InlineData("tile/3/000.p/7", 223, -1)]
    [InlineData("tile/entries/000", 512, 512)]
    [InlineData("tile/entries/000", 16_777_472, 16_777_472)]
    [InlineData("tile/entries/000", 511, -1)]
    [InlineData("tile/entries/000.p/3", 6, 6)]
    [InlineData("tile/entries/000.p/3", 5, -1)]
    public void ServedLength_FollowsTheWidth(string path, long fileSize, long served)
    {
        Assert.True(TileAddress.TryParse(path, out var address));
        Assert.Equal(served, PublishedFiles.ServedLength(address, fileSize));
    }

    [Fact]
    public void WithACache_SmallPublishedFilesComeFromMemory_AndLargeOnesFromDisk()
    {
        using var dir = new TempDir();
        Write(dir, "tile/0/000", 8192);
        Write(dir, "tile/entries/000", 300_000);
        Write(dir, "tile/0/001", 8192);
        var cache = new TileMemoryCache(1 << 20);
        using var files = new PublishedFiles(dir.Path, () => new PublishedCheckpoint(300, Note), NullLogger.Instance, cache);
        var first = Open(files, "tile/0/000");
        Assert.Equal(-1, first.Fd);
        Assert.Equal(File.ReadAllBytes(dir["tile/0/000"]), first.Body);
        File.Delete(dir["tile/0/000"]); // garbage collected, say: what was published stays valid
        Assert.Same(first.Body, Open(files, "tile/0/000").Body);
        var bundle = Open(files, "tile/entries/000");
        Assert.Null(bundle.Body);
        Assert.Equal(File.ReadAllBytes(dir["tile/entries/000"]), ReadAll(bundle));
        Assert.Equal(ReadStatus.NotFound, Open(files, "tile/0/001").Status); // an orphan is neither served nor kept
        Assert.False(cache.TryGet(new TileAddress(0, 1, 256), out _));
        Assert.Equal(8192, cache.Bytes);
    }

    [Fact]
    public void AMissingDirectory_IsRefusedAtOnce()
    {
        Assert.Throws<IOException>(() => new PublishedFiles("/nonexistent/rekor", () => null, NullLogger.Instance));
    }
}
