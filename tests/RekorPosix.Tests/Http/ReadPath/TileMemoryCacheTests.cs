using RekorPosix.Http.ReadPath;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http.ReadPath;

public class TileMemoryCacheTests
{
    private static TileAddress Tile(long index) => new(0, index, TileAddress.FullWidth);

    [Fact]
    public void WhatIsAdded_IsFound()
    {
        var cache = new TileMemoryCache(1 << 20);
        byte[] bytes = new byte[8192];
        cache.Add(Tile(1), bytes);
        Assert.True(cache.TryGet(Tile(1), out var found));
        Assert.Same(bytes, found);
        Assert.False(cache.TryGet(Tile(2), out _));
        Assert.False(cache.TryGet(Tile(1) with { IsEntries = true }, out _));
        Assert.Equal(8192, cache.Bytes);
    }

    [Fact]
    public void LargeFiles_AreNotKept()
    {
        var cache = new TileMemoryCache(1 << 30);
        cache.Add(Tile(1), new byte[TileMemoryCache.MaxFileBytes + 1]);
        Assert.False(cache.TryGet(Tile(1), out _));
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void TheCapacity_IsKept_ByDroppingEntries()
    {
        var cache = new TileMemoryCache(100 * 8192);
        for (int i = 0; i < 1000; i++)
        {
            cache.Add(Tile(i), new byte[8192]);
            Assert.True(cache.Bytes <= 100 * 8192, $"{cache.Bytes} bytes after {i + 1} adds");
        }
        Assert.True(cache.TryGet(Tile(999), out _), "the newest entry was dropped");
        int kept = Enumerable.Range(0, 1000).Count(i => cache.TryGet(Tile(i), out _));
        Assert.Equal(cache.Bytes, kept * 8192L);
    }

    [Fact]
    public void AddingTwice_CountsOnce()
    {
        var cache = new TileMemoryCache(1 << 20);
        cache.Add(Tile(1), new byte[100]);
        cache.Add(Tile(1), new byte[100]);
        Assert.Equal(100, cache.Bytes);
    }

    [Fact]
    public async Task ConcurrentUse_KeepsTheCount()
    {
        var cache = new TileMemoryCache(50 * 1000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 5000; i++)
            {
                cache.Add(Tile((t * 7919 + i) % 300), new byte[1000]);
                cache.TryGet(Tile(i % 300), out _);
            }
        })));
        int kept = Enumerable.Range(0, 300).Count(i => cache.TryGet(Tile(i), out _));
        Assert.Equal(kept * 1000L, cache.Bytes);
        Assert.True(cache.Bytes <= 50 * 1000);
    }
}
