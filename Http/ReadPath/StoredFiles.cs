using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using RekorPosix.Log;
using RekorPosix.Tiles;

namespace RekorPosix.Http.ReadPath;

/// <summary>
/// The read ports of a log whose files are not on this machine (a bucket): tiles and bundles the
/// published checkpoint implies, read through the driver's <see cref="ILogReader"/> and kept in
/// memory, since they never change. Concurrent requests for one tile share one read, so that a
/// new checkpoint followed by many clients costs the bucket one GET per tile, not one per client.
/// </summary>
internal sealed class StoredFiles : IPublishedReads
{
    /// <summary>A read the bucket does not answer within this is failed (500), not waited on.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private readonly ILogReader _reader;
    private readonly Func<CancellationToken, ValueTask<PublishedCheckpoint?>> _published;
    private readonly TileMemoryCache? _cache;

    public long CachedBytes => _cache?.Bytes ?? 0;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TileAddress, Lazy<Task<ReadResult>>> _reading = new();
    private readonly LogThrottle _failures = new();

    /// <param name="published">The published checkpoint, asked once per request.</param>
    /// <param name="cache">Where tiles are kept once read; null: read every one from storage.</param>
    /// <param name="history">Checkpoint history, whose notes the tile port serves at
    /// <c>/checkpoints/N</c>; null: none are.</param>
    public StoredFiles(ILogReader reader, Func<CancellationToken, ValueTask<PublishedCheckpoint?>> published, TileMemoryCache? cache, ILogger logger,
        ICheckpointHistory? history = null)
    {
        _reader = reader;
        _published = published;
        _cache = cache;
        _logger = logger;
        _history = history;
    }

    private readonly ICheckpointHistory? _history;

    public async ValueTask<ReadResult> ReadAsync(ReadRoute route, ReadOnlyMemory<byte> relativePath, CancellationToken cancel)
    {
        var published = await _published(cancel).ConfigureAwait(false);
        if (published is null)
            return ReadResult.NotFound;
        if (route.IsCheckpoint)
            return ReadResult.Checkpoint(published.Note);
        if (route.IsHistory)
            return route.HistorySize <= published.Size ? await ReadHistoryAsync(route.HistorySize, cancel).ConfigureAwait(false) : ReadResult.NotFound;
        if (!TileMath.Implies(published.Size, route.Tile))
            return ReadResult.NotFound;
        if (_cache is not null && _cache.TryGet(route.Tile, out byte[] cached))
            return ReadResult.Memory(cached);
        var read = _reading.GetOrAdd(route.Tile, address => new Lazy<Task<ReadResult>>(() => ReadSharedAsync(address)));
        return await read.Value.WaitAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>A kept checkpoint, read from storage each time (a note is small, and rarely asked for).</summary>
    private async Task<ReadResult> ReadHistoryAsync(long size, CancellationToken cancel)
    {
        if (_history is null)
            return ReadResult.NotFound;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(ReadTimeout);
            return await _history.ReadAsync(size, timeout.Token).ConfigureAwait(false) is { } note
                ? ReadResult.Memory(note, ReadKind.History)
                : ReadResult.NotFound;
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancel.IsCancellationRequested)
        {
            if (_failures.TryPass(out int heldBack))
                HttpEvents.StoredReadFailed(_logger, CheckpointHistoryPath.For(size), e.Message, heldBack);
            return ReadResult.Failed;
        }
    }

    /// <summary>One read for everyone asking, with its own timeout: one client leaving must not
    /// cancel it for the others.</summary>
    private async Task<ReadResult> ReadSharedAsync(TileAddress address)
    {
        try
        {
            using var timeout = new CancellationTokenSource(ReadTimeout);
            var data = address.IsEntries
                ? await _reader.ReadEntryBundleAsync(address, timeout.Token).ConfigureAwait(false)
                : await _reader.ReadTileAsync(address, timeout.Token).ConfigureAwait(false);
            byte[] bytes = AsArray(data);
            _cache?.Add(address, bytes);
            return ReadResult.Memory(bytes);
        }
        catch (FileNotFoundException)
        {
            // Implied by the checkpoint yet absent: someone removed it. Not a client's error.
            return Failed(address, "missing although the published checkpoint implies it", ReadResult.Damaged);
        }
        catch (LogStateException e)
        {
            return Failed(address, e.Message, ReadResult.Damaged);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failed(address, e.Message, ReadResult.Failed);
        }
        finally
        {
            _reading.TryRemove(address, out _);
        }
    }

    private ReadResult Failed(TileAddress address, string reason, ReadResult result)
    {
        if (_failures.TryPass(out int heldBack))
            HttpEvents.StoredReadFailed(_logger, address.ToPath(), reason, heldBack);
        return result;
    }

    private static byte[] AsArray(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();

    public void Dispose()
    {
    }
}
