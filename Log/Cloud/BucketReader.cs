using RekorPosix.Tiles;

namespace RekorPosix.Log.Cloud;

/// <summary>Reads the log from the bucket, falling back from a partial that garbage collection
/// removed to its full object (tessera's AWS and GCP readers do not for tiles: a collected partial
/// failed there), and the integrated size from the coordination database (IntCoord).</summary>
/// <param name="readIntegrated">IntCoord's tree; null for a reader without the database.</param>
internal sealed class BucketReader(IBucket bucket, Func<CancellationToken, Task<TreeHead>>? readIntegrated) : ILogReader
{
    public async ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel) =>
        await bucket.ReadAsync(IBucket.CheckpointKey, cancel).ConfigureAwait(false);

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
    public async ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel) => readIntegrated is null
        ? throw new InvalidOperationException("the integrated size is in the database, which this reader was not given")
        : (await readIntegrated(cancel).ConfigureAwait(false)).Size;

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
