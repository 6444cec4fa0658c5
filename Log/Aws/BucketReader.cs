using RekorPosix.Tiles;

namespace RekorPosix.Log.Aws;

/// <summary>Reads the log from the bucket, falling back from a partial that garbage collection
/// removed to its full object (tessera's AWS reader does not: a collected partial failed there),
/// and the integrated size from IntCoord.</summary>
internal sealed class BucketReader(Bucket bucket, Coordinator? coordinator) : ILogReader
{
    public async ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel) =>
        await bucket.ReadAsync(Bucket.CheckpointKey, cancel).ConfigureAwait(false);

    public async ValueTask<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address, CancellationToken cancel)
    {
        byte[] data = await ReadWithFullFallbackAsync(address, cancel).ConfigureAwait(false);
        return Checked(address, () => HashTile.Trim(data, address.Width));
    }

    public async ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, CancellationToken cancel)
    {
        byte[] data = await ReadWithFullFallbackAsync(address, cancel).ConfigureAwait(false);
        return Checked(address, () => EntryBundle.Trim(data, address.Width));
    }

    /// <summary>IntCoord's size; a reader without the database (fsck of a bucket alone) has none.</summary>
    public async ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel) => coordinator is null
        ? throw new InvalidOperationException("the integrated size is in the database, which this reader was not given")
        : (await coordinator.ReadIntegratedAsync(cancel).ConfigureAwait(false)).Size;

    private async Task<byte[]> ReadWithFullFallbackAsync(TileAddress address, CancellationToken cancel)
    {
        if (await bucket.ReadAsync(address.ToPath(), cancel).ConfigureAwait(false) is { } data)
            return data;
        if (!address.IsFull && await bucket.ReadAsync((address with { Width = TileMath.TileWidth }).ToPath(), cancel).ConfigureAwait(false) is { } full)
            return full;
        throw new FileNotFoundException($"{address.ToPath()} is missing from bucket {bucket.Name}{(address.IsFull ? "" : " (and so is its full tile)")}");
    }

    private static ReadOnlyMemory<byte> Checked(TileAddress address, Func<ReadOnlyMemory<byte>> trim)
    {
        try
        {
            return trim();
        }
        catch (FormatException e)
        {
            throw new LogStateException($"{address.ToPath()}: {e.Message}", e);
        }
    }
}
