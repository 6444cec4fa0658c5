using System.Runtime.InteropServices;
using System.Text;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log.Posix;

public class PosixReaderTests
{
    private static ILogReader LogOf(TempDir dir)
    {
        var storage = new PosixStorage(dir.Path);
        storage.Open();
        storage.Integrate(Enumerable.Range(0, 3).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"a-{i}")).ToList());
        storage.Integrate(Enumerable.Range(0, 300).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"b-{i}")).ToList());
        return storage.Reader;
    }

    private static byte[] ArrayOf(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");

    [Fact]
    public async Task ABundleReadIntoASpace_IsThePlainRead_AndNeverLandsOnTheMemoryKept()
    {
        using var dir = new TempDir();
        var reader = LogOf(dir);
        var space = new BundleSpace();
        var first = new TileAddress(0, 0, 3, IsEntries: true);
        var second = new TileAddress(0, 1, 47, IsEntries: true);
        var kept = await reader.ReadEntryBundleAsync(first, space, default, CancellationToken.None);
        byte[] keptCopy = kept.ToArray();
        Assert.Equal((await reader.ReadEntryBundleAsync(first, CancellationToken.None)).ToArray(), keptCopy);

        var next = await reader.ReadEntryBundleAsync(second, space, kept, CancellationToken.None);
        Assert.NotSame(ArrayOf(kept), ArrayOf(next));
        Assert.Equal(keptCopy, kept.ToArray());
        Assert.Equal((await reader.ReadEntryBundleAsync(second, CancellationToken.None)).ToArray(), next.ToArray());
        Assert.Equal(47, EntryBundle.Count(next.Span));
    }

    [Fact]
    public async Task APartialNeverWritten_IsCutFromTheFullBundle_InASpaceToo()
    {
        using var dir = new TempDir();
        var reader = LogOf(dir);
        // The 300-entry batch filled bundle 0: its 100-wide partial was never written.
        var address = new TileAddress(0, 0, 100, IsEntries: true);
        Assert.False(File.Exists(Path.Combine(dir.Path, address.ToPath())));
        var data = await reader.ReadEntryBundleAsync(address, new BundleSpace(), default, CancellationToken.None);
        Assert.Equal(100, EntryBundle.Count(data.Span));
        Assert.Equal((await reader.ReadEntryBundleAsync(address, CancellationToken.None)).ToArray(), data.ToArray());
    }

    [Fact]
    public async Task ABundleNotStored_IsNotFound_InASpaceToo()
    {
        using var dir = new TempDir();
        var reader = LogOf(dir);
        await Assert.ThrowsAsync<FileNotFoundException>(async () =>
            await reader.ReadEntryBundleAsync(new TileAddress(0, 5, 1, IsEntries: true), new BundleSpace(), default, CancellationToken.None));
    }
}
