using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class TileMathTests
{
    [Fact]
    public void Constants()
    {
        Assert.Equal(256, TileMath.TileWidth);
        Assert.Equal(8, TileMath.TileHeight);
    }

    [Fact]
    public void SpecExample70000()
    {
        const long size = 70_000;
        for (long n = 0; n < 273; n++)
            Assert.Equal(256, TileMath.WidthAt(0, n, size));
        Assert.Equal(112, TileMath.WidthAt(0, 273, size));
        Assert.Equal(0, TileMath.WidthAt(0, 274, size));
        Assert.Equal(256, TileMath.WidthAt(1, 0, size));
        Assert.Equal(17, TileMath.WidthAt(1, 1, size));
        Assert.Equal(0, TileMath.WidthAt(1, 2, size));
        Assert.Equal(1, TileMath.WidthAt(2, 0, size));
        Assert.Equal(0, TileMath.WidthAt(3, 0, size));
        Assert.Equal(3, TileMath.LevelCount(size));
        Assert.Equal(
            ["tile/0/273.p/112", "tile/1/001.p/17", "tile/2/000.p/1"],
            TileMath.RightEdge(size).Select(t => t.ToPath()));
    }

    [Fact]
    public void SpecExample256()
    {
        Assert.Equal(256, TileMath.WidthAt(0, 0, 256));
        Assert.Equal(0, TileMath.WidthAt(0, 1, 256));
        Assert.Equal(1, TileMath.WidthAt(1, 0, 256));
        Assert.Null(TileMath.PartialTile(0, 256));
        Assert.Equal(new TileAddress(1, 0, 1), TileMath.PartialTile(1, 256));
        Assert.Equal([new TileAddress(1, 0, 1)], TileMath.RightEdge(256));
        Assert.Equal(2, TileMath.LevelCount(256));
    }

    [Theory]
    [InlineData(0L, 0, new string[0])]
    [InlineData(1L, 1, new[] { "tile/0/000.p/1" })]
    [InlineData(255L, 1, new[] { "tile/0/000.p/255" })]
    [InlineData(256L, 2, new[] { "tile/1/000.p/1" })]
    [InlineData(257L, 2, new[] { "tile/0/001.p/1", "tile/1/000.p/1" })]
    [InlineData(65_535L, 2, new[] { "tile/0/255.p/255", "tile/1/000.p/255" })]
    [InlineData(65_536L, 3, new[] { "tile/2/000.p/1" })]
    [InlineData(65_537L, 3, new[] { "tile/0/256.p/1", "tile/2/000.p/1" })]
    [InlineData(66_000L, 3, new[] { "tile/0/257.p/208", "tile/1/001.p/1", "tile/2/000.p/1" })]
    [InlineData(16_777_216L, 4, new[] { "tile/3/000.p/1" })]
    public void RightEdgeAndLevels(long size, int levels, string[] edge)
    {
        Assert.Equal(levels, TileMath.LevelCount(size));
        Assert.Equal(edge, TileMath.RightEdge(size).Select(t => t.ToPath()));
        Assert.All(TileMath.RightEdge(size), t => Assert.InRange(t.Width, 1, 255));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(255L)]
    [InlineData(256L)]
    [InlineData(257L)]
    [InlineData(65_535L)]
    [InlineData(65_536L)]
    [InlineData(65_537L)]
    [InlineData(70_000L)]
    public void WidthMatchesHashCountDefinition(long size)
    {
        // Hash i of level l exists iff (i+1)·256^l ≤ size; a tile's width is how many of its 256 exist.
        for (int level = 0; level < 4; level++)
        {
            long span = 1L << (8 * level);
            for (long index = 0; index < 300; index++)
            {
                int expected = 0;
                for (int i = 0; i < 256; i++)
                {
                    if ((index * 256 + i + 1) * span <= size)
                        expected++;
                }
                Assert.Equal(expected, TileMath.WidthAt(level, index, size));
            }
        }
    }

    [Fact]
    public void EmptyIsNotFull()
    {
        // Size 512: level-0 tile 1 is full, tile 2 does not exist; level 1 holds a partial of 2.
        Assert.Equal(256, TileMath.WidthAt(0, 1, 512));
        Assert.Equal(0, TileMath.WidthAt(0, 2, 512));
        Assert.Null(TileMath.TileAt(0, 2, 512));
        Assert.Equal(new TileAddress(0, 1, 256), TileMath.TileAt(0, 1, 512));
        Assert.Equal(new TileAddress(1, 0, 2), TileMath.TileAt(1, 0, 512));
        Assert.Equal(0, TileMath.WidthAt(0, 0, 0));
        Assert.Null(TileMath.PartialTile(0, 0));
    }

    [Theory]
    [InlineData(0L, 0L, 0)]
    [InlineData(0L, 1L, 1)]
    [InlineData(0L, 256L, 256)]
    [InlineData(1L, 256L, 0)]
    [InlineData(1L, 257L, 1)]
    [InlineData(257L, 66_000L, 208)]
    [InlineData(256L, 66_000L, 256)]
    [InlineData(258L, 66_000L, 0)]
    public void EntryBundleWidths(long bundle, long size, int width)
    {
        Assert.Equal(width, TileMath.EntryBundleWidth(bundle, size));
        var address = TileMath.EntryBundleAt(bundle, size);
        Assert.Equal(width == 0 ? null : new TileAddress(0, bundle, width, IsEntries: true), address);
    }

    [Fact]
    public void PartialEntryBundle()
    {
        Assert.Null(TileMath.PartialEntryBundle(0));
        Assert.Null(TileMath.PartialEntryBundle(512));
        Assert.Equal(new TileAddress(0, 257, 208, IsEntries: true), TileMath.PartialEntryBundle(66_000));
    }

    [Fact]
    public void HugeSizesDoNotOverflow()
    {
        Assert.Equal(8, TileMath.LevelCount(long.MaxValue));
        Assert.Equal(127, TileMath.WidthAt(7, 0, long.MaxValue));
        Assert.Equal(0, TileMath.WidthAt(8, 0, long.MaxValue));
        Assert.Equal(0, TileMath.WidthAt(63, 0, long.MaxValue));
        Assert.Equal(255, TileMath.WidthAt(0, long.MaxValue / 256, long.MaxValue));
        Assert.Equal(256, TileMath.WidthAt(0, long.MaxValue / 256 - 1, long.MaxValue));
        Assert.Equal(0, TileMath.WidthAt(0, long.MaxValue, long.MaxValue));
        Assert.Equal(8, TileMath.RightEdge(long.MaxValue).Count);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TileMath.WidthAt(-1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileMath.WidthAt(64, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileMath.WidthAt(0, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileMath.WidthAt(0, 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileMath.LevelCount(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileMath.RightEdge(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileMath.PartialTile(0, -1));
    }

    [Theory]
    // Size 700: bundles/level-0 tiles 0 and 1 full, 2 partial at 188; level 1 partial at 2.
    [InlineData(700, "tile/0/000", true)]
    [InlineData(700, "tile/0/001", true)]
    [InlineData(700, "tile/0/002", false)] // an orphan full tile beyond the published size
    [InlineData(700, "tile/0/002.p/188", true)]
    [InlineData(700, "tile/0/002.p/1", true)] // an older checkpoint's partial
    [InlineData(700, "tile/0/002.p/189", false)] // not yet published
    [InlineData(700, "tile/0/000.p/5", true)] // partial of a tile that has filled since
    [InlineData(700, "tile/0/003.p/1", false)]
    [InlineData(700, "tile/entries/001", true)]
    [InlineData(700, "tile/entries/002.p/188", true)]
    [InlineData(700, "tile/entries/002.p/200", false)]
    [InlineData(700, "tile/entries/002", false)]
    [InlineData(700, "tile/1/000.p/2", true)]
    [InlineData(700, "tile/1/000.p/3", false)]
    [InlineData(700, "tile/1/000", false)]
    [InlineData(700, "tile/2/000.p/1", false)]
    [InlineData(0, "tile/0/000.p/1", false)]
    [InlineData(256, "tile/1/000.p/1", true)]
    [InlineData(65536, "tile/1/000", true)]
    [InlineData(65536, "tile/2/000.p/1", true)]
    [InlineData(long.MaxValue, "tile/63/000.p/1", false)]
    [InlineData(long.MaxValue, "tile/0/x036/x028/x797/x018/x963/967.p/255", true)]
    [InlineData(long.MaxValue, "tile/0/x036/x028/x797/x018/x963/967", false)]
    public void Implies_OnlyWhatTheSizeCompletedOrHasPassed(long size, string path, bool implied)
    {
        Assert.True(TileAddress.TryParse(path, out var address));
        Assert.Equal(implied, TileMath.Implies(size, address));
    }

    [Theory]
    [InlineData(0L, "tile/entries/000 tile/0/000")]
    [InlineData(254L, "tile/entries/254 tile/0/254")]
    [InlineData(255L, "tile/entries/255 tile/0/255 tile/1/000")]
    [InlineData(511L, "tile/entries/511 tile/0/511 tile/1/001")]
    [InlineData(65_535L, "tile/entries/x065/535 tile/0/x065/535 tile/1/255 tile/2/000")]
    public void CompletedBy_TheBundleItsTileAndEachParentItFinishes(long bundle, string expected)
    {
        Assert.Equal(expected, string.Join(' ', TileMath.CompletedBy(bundle).Select(a => a.ToPath())));
        // Exactly what a tree that just filled the bundle implies in full and did not before.
        long size = (bundle + 1) * TileMath.TileWidth;
        Assert.All(TileMath.CompletedBy(bundle), a =>
        {
            Assert.True(TileMath.Implies(size, a));
            Assert.False(TileMath.Implies(size - 1, a));
        });
    }
}
