using Microsoft.Extensions.Logging;
using RekorPosix.Interop;
using RekorPosix.Log;
using RekorPosix.Tiles;

namespace RekorPosix.Http.ReadPath;

/// <summary>
/// The public files of a log directory as both read ports serve them: the checkpoint from the
/// published note in memory, kept checkpoints of history up to its size, and tiles and bundles
/// only when that checkpoint implies them, so an
/// orphan from a crashed batch or a tile of a batch not yet published is never handed to a
/// client (or to a cache that would keep it for a year). Files are opened relative to the
/// directory's descriptor, never through a symlink in the last component, and never block.
/// </summary>
internal sealed unsafe class PublishedFiles : IPublishedReads
{
    private readonly Func<PublishedCheckpoint?> _published;
    private readonly ILogger _logger;
    private readonly TileMemoryCache? _cache;

    public long CachedBytes => _cache?.Bytes ?? 0;
    private int _rootFd;

    /// <param name="root">The log directory.</param>
    /// <param name="published">The published checkpoint, read once per request.</param>
    /// <param name="cache">Where small published files are kept once read; null: always from disk.</param>
    public PublishedFiles(string root, Func<PublishedCheckpoint?> published, ILogger logger, TileMemoryCache? cache = null)
    {
        _published = published;
        _logger = logger;
        _cache = cache;
        _rootFd = FileCalls.Open(root, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
        if (_rootFd < 0)
            throw Errno.LastAsIOException("open", root);
    }

    /// <summary>Resolves a parsed route. <paramref name="relativePath"/> is its file path under the
    /// log directory, which for a route that parsed is exactly the request's bytes after the prefix.</summary>
    public ReadResult Open(in ReadRoute route, ReadOnlySpan<byte> relativePath)
    {
        var published = _published();
        if (published is null)
            return ReadResult.NotFound;
        if (route.IsCheckpoint)
            return ReadResult.Checkpoint(published.Note);
        if (relativePath.Length > ReadRoute.MaxLength)
            return ReadResult.NotFound;
        if (route.IsHistory)
            return route.HistorySize <= published.Size ? OpenHistory(route.HistorySize, relativePath) : ReadResult.NotFound;
        if (!TileMath.Implies(published.Size, route.Tile))
            return ReadResult.NotFound;
        if (_cache is not null && _cache.TryGet(route.Tile, out byte[] cached))
            return ReadResult.Memory(cached);

        int fd = OpenAt(relativePath);
        if (fd < 0)
            return OpenFailed(route.Tile.ToPath());
        long size = FileCalls.RegularFileSize(fd);
        long length = size < 0 ? -1 : ServedLength(route.Tile, size);
        if (length > TileMemoryCache.MaxFileBytes || (length >= 0 && _cache is null))
            return ReadResult.File(fd, length);
        if (length >= 0)
            return ReadIntoCache(route.Tile, fd, (int)length);
        FileCalls.Close(fd);
        if (size < 0)
            return ReadResult.NotFound;
        HttpEvents.TileDamaged(_logger, route.Tile.ToPath(), size);
        return ReadResult.Damaged;
    }

    /// <summary>
    /// How many bytes of a file of <paramref name="fileSize"/> to serve for the address, or -1 if it
    /// is too short to be one. A hash tile is exactly width × 32 bytes and only that is sent: never
    /// more than W hashes at a .p/W path (tlog-tiles forbids it; tessera once symlinked partials to
    /// full tiles, which O_NOFOLLOW refuses anyway). A bundle's size is not fixed; each of its
    /// entries has at least its two length bytes.
    /// </summary>
    public static long ServedLength(TileAddress address, long fileSize)
    {
        long least = address.IsEntries ? 2L * address.Width : (long)address.Width * Rfc6962.HashSize;
        if (fileSize < least)
            return -1;
        return address.IsEntries ? fileSize : least;
    }

    /// <summary>A file under the log directory, never through a symlink in its last component and
    /// never blocking; -1 with errno set when it cannot be opened.</summary>
    private int OpenAt(ReadOnlySpan<byte> relativePath)
    {
        byte* path = stackalloc byte[relativePath.Length + 1];
        relativePath.CopyTo(new Span<byte>(path, relativePath.Length));
        path[relativePath.Length] = 0;
        return FileCalls.OpenAt(_rootFd, path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK | OpenFlags.O_NOFOLLOW, 0);
    }

    /// <summary>A kept checkpoint (served only up to the published size: a note a crash left ahead
    /// of the checkpoint is not published), sent from its file as it is.</summary>
    private ReadResult OpenHistory(long size, ReadOnlySpan<byte> relativePath)
    {
        int fd = OpenAt(relativePath);
        if (fd < 0)
            return OpenFailed(CheckpointHistoryPath.For(size));
        long length = FileCalls.RegularFileSize(fd);
        if (length is > 0 and <= Checkpoint.MaxNoteBytes)
            return ReadResult.File(fd, length, ReadKind.History);
        FileCalls.Close(fd);
        return length < 0 ? ReadResult.NotFound : ReadResult.Damaged;
    }

    public ValueTask<ReadResult> ReadAsync(ReadRoute route, ReadOnlyMemory<byte> relativePath, CancellationToken cancel) =>
        new(Open(route, relativePath.Span));

    private ReadResult ReadIntoCache(TileAddress tile, int fd, int length)
    {
        byte[] bytes = new byte[length];
        bool read = FileCalls.ReadExactly(fd, bytes);
        FileCalls.Close(fd);
        if (!read)
        {
            HttpEvents.TileDamaged(_logger, tile.ToPath(), -1);
            return ReadResult.Failed;
        }
        _cache!.Add(tile, bytes);
        return ReadResult.Memory(bytes);
    }

    private ReadResult OpenFailed(string path)
    {
        int errno = Errno.Last;
        // ELOOP: a symlink in the last component, which is not served.
        if (errno is Errno.ENOENT or Errno.ENOTDIR or Errno.ELOOP)
            return ReadResult.NotFound;
        HttpEvents.TileOpenFailed(_logger, path, errno);
        return ReadResult.Failed;
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _rootFd, -1);
        if (fd >= 0)
            FileCalls.Close(fd);
    }
}
