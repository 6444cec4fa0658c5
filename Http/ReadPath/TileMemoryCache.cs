using System.Collections.Concurrent;
using RekorPosix.Tiles;

namespace RekorPosix.Http.ReadPath;

/// <summary>
/// Small published tiles and bundles kept in memory, so that a hot one (a top-level tile every
/// proof needs, the right edge a follower polls) costs one send instead of open, statx, send,
/// sendfile and close. Safe because only what a published checkpoint implies is ever put here,
/// and that never changes: the width is in the path. Bounded by bytes; when full, arbitrary
/// entries make room, which keeps the hot ones coming back without bookkeeping per hit.
/// </summary>
/// <param name="capacityBytes">All entries together.</param>
/// <param name="maxItemBytes">Larger ones are not kept: <see cref="MaxFileBytes"/> for a directory,
/// more for a bucket, where a miss costs a round trip instead of a sendfile.</param>
internal sealed class TileMemoryCache(long capacityBytes, int maxItemBytes = TileMemoryCache.MaxFileBytes)
{
    /// <summary>Files above this size go by sendfile: zero copy matters more than syscalls there.</summary>
    public const int MaxFileBytes = 64 * 1024;

    public int MaxItemBytes => maxItemBytes;

    private readonly ConcurrentDictionary<TileAddress, byte[]> _files = new();
    private long _bytes;

    public long CapacityBytes => capacityBytes;
    public long Bytes => Interlocked.Read(ref _bytes);

    public bool TryGet(TileAddress address, out byte[] bytes) => _files.TryGetValue(address, out bytes!);

    public void Add(TileAddress address, byte[] bytes)
    {
        if (bytes.Length > maxItemBytes || bytes.Length > capacityBytes)
            return;
        if (Interlocked.Add(ref _bytes, bytes.Length) > capacityBytes)
            MakeRoom();
        if (!_files.TryAdd(address, bytes))
            Interlocked.Add(ref _bytes, -bytes.Length);
    }

    /// <summary>Drops entries until a quarter of the capacity is free.</summary>
    private void MakeRoom()
    {
        long target = capacityBytes * 3 / 4;
        foreach (var key in _files.Keys)
        {
            if (Interlocked.Read(ref _bytes) <= target)
                break;
            if (_files.TryRemove(key, out var removed))
                Interlocked.Add(ref _bytes, -removed.Length);
        }
    }
}
