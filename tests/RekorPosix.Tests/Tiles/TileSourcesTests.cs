using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

/// <summary>Tiles kept in memory by path, filled from <see cref="TileTreeBuilder"/> writes.</summary>
internal sealed class MemoryTileStore
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, byte[]> Files => _files;

    public void Apply(IEnumerable<TileWrite> writes)
    {
        foreach (var write in writes)
            _files[write.Address.ToPath()] = write.Data.ToArray();
    }

    /// <summary>
    /// A reader for a tree of <paramref name="treeSize"/> that fails the test if asked for any tile
    /// that size does not imply, or at a width other than <see cref="TileMath.WidthAt"/>.
    /// </summary>
    public Func<TileAddress, ReadOnlyMemory<byte>> ReaderFor(long treeSize, List<TileAddress>? requests = null) =>
        address =>
        {
            Assert.False(address.IsEntries);
            Assert.Equal(TileMath.WidthAt(address.Level, address.Index, treeSize), address.Width);
            requests?.Add(address);
            return _files[address.ToPath()];
        };
}

/// <summary>A log directory under testdata, read the way a tlog-tiles client would.</summary>
internal sealed class DirectoryTileSource(params string[] relativeRoot)
{
    public string Root { get; } = Path.Combine([AppContext.BaseDirectory, "testdata", .. relativeRoot]);

    public static string ReadText(params string[] relativePath) =>
        File.ReadAllText(Path.Combine([AppContext.BaseDirectory, "testdata", .. relativePath]));

    /// <summary>The note body of a signed checkpoint file: everything up to the blank line.</summary>
    public static string NoteBody(string signedNote)
    {
        int blank = signedNote.IndexOf("\n\n", StringComparison.Ordinal);
        Assert.True(blank > 0, "signed note has no blank line");
        return signedNote[..(blank + 1)];
    }

    public bool Exists(TileAddress address) => File.Exists(FullPath(address));

    public byte[] ReadExact(TileAddress address) => File.ReadAllBytes(FullPath(address));

    /// <summary>The resource at its width, or the full one trimmed when the partial file is absent.</summary>
    public ReadOnlyMemory<byte> ReadWithFallback(TileAddress address)
    {
        if (Exists(address))
            return ReadExact(address);
        var full = File.ReadAllBytes(FullPath(address with { Width = TileMath.TileWidth }));
        return address.IsEntries ? EntryBundle.Trim(full, address.Width) : HashTile.Trim(full, address.Width);
    }

    /// <summary>Every file below tile/, as a path relative to the log root.</summary>
    public IEnumerable<string> AllTilePaths() =>
        Directory.EnumerateFiles(Path.Combine(Root, "tile"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'));

    private string FullPath(TileAddress address) => Path.Combine(Root, address.ToPath());
}

public class TileSourcesTests
{
    [Fact]
    public void EveryTestdataTilePathParses()
    {
        foreach (var log in new[] { new DirectoryTileSource("tessera-log"), new DirectoryTileSource("xmod-log", "log") })
        {
            foreach (var path in log.AllTilePaths())
            {
                Assert.True(TileAddress.TryParse(path, out var address), path);
                Assert.Equal(path, address.ToPath());
            }
        }
    }

    [Fact]
    public void FallbackTrimsFullTileAndBundle()
    {
        var log = new DirectoryTileSource("xmod-log", "log");
        var partial = new TileAddress(0, 3, 232);
        Assert.False(log.Exists(partial));
        var trimmed = log.ReadWithFallback(partial);
        Assert.Equal(log.ReadExact(partial with { Width = 256 }).AsSpan(0, 232 * 32).ToArray(), trimmed.ToArray());

        var bundle = new TileAddress(0, 3, 232, IsEntries: true);
        Assert.Equal(232, EntryBundle.Count(log.ReadWithFallback(bundle).Span));
    }
}
