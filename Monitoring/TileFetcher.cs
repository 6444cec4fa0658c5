using RekorPosix.Tiles;

namespace RekorPosix.Monitoring;

/// <summary>
/// Reads the checkpoint, hash tiles and entry bundles of a log (https://c2sp.org/tlog-tiles) and
/// checks their shape: a tile of exactly its width in hashes, a bundle of exactly its width in
/// entries. A partial the log does not have (404) is read from the full tile, which the spec
/// allows a log to keep instead, and cut to the width asked for. What the checkpoint implies but
/// the log does not serve at all is a <see cref="MonitorInputException"/>; what it serves in the
/// wrong shape, a <see cref="LogVerificationException"/>.
/// </summary>
internal sealed class TileFetcher(ILogSource source)
{
    public const int MaxCheckpointBytes = Checkpoint.MaxNoteBytes;

    public string Location => source.Location;

    public async Task<byte[]> ReadCheckpointAsync(CancellationToken cancel) =>
        await source.TryReadAsync("checkpoint", MaxCheckpointBytes, cancel).ConfigureAwait(false)
        ?? throw new MonitorInputException($"{source.Location}: the log has no checkpoint");

    /// <summary>The hash tile at <paramref name="address"/>: exactly its width in hashes.</summary>
    /// <param name="treeSize">The checkpoint size that implies the tile, for messages.</param>
    public async Task<ReadOnlyMemory<byte>> ReadHashTileAsync(TileAddress address, long treeSize, CancellationToken cancel)
    {
        var (data, read) = await ReadAsync(address, HashTile.MaxBytes, treeSize, cancel).ConfigureAwait(false);
        if (!HashTile.IsValid(data, read.Width))
            throw new LogVerificationException($"{read.ToPath()} is {data.Length} bytes, not the {read.Width * Rfc6962.HashSize} of {read.Width} hashes");
        return data.AsMemory(0, address.Width * Rfc6962.HashSize);
    }

    /// <summary>The entries of the bundle at <paramref name="address"/>: exactly its width.</summary>
    public async Task<List<ReadOnlyMemory<byte>>> ReadEntryBundleAsync(TileAddress address, long treeSize, CancellationToken cancel)
    {
        var (data, read) = await ReadAsync(address, EntryBundle.MaxBundleSize, treeSize, cancel).ConfigureAwait(false);
        List<ReadOnlyMemory<byte>> entries;
        try
        {
            entries = EntryBundle.Parse(data);
        }
        catch (FormatException e)
        {
            throw new LogVerificationException($"{read.ToPath()} is not an entry bundle: {e.Message}", e);
        }
        if (entries.Count != read.Width)
            throw new LogVerificationException($"{read.ToPath()} holds {entries.Count} entries, not {read.Width}");
        return entries.Count == address.Width ? entries : entries.GetRange(0, address.Width);
    }

    /// <summary>The resource, or its full tile when it is a partial the log does not have; and which of the two was read.</summary>
    private async Task<(byte[] Data, TileAddress Read)> ReadAsync(TileAddress address, int maxBytes, long treeSize, CancellationToken cancel)
    {
        if (await source.TryReadAsync(address.ToPath(), maxBytes, cancel).ConfigureAwait(false) is { } data)
            return (data, address);
        if (!address.IsFull)
        {
            var full = address with { Width = TileMath.TileWidth };
            if (await source.TryReadAsync(full.ToPath(), maxBytes, cancel).ConfigureAwait(false) is { } fullData)
                return (fullData, full);
        }
        throw new MonitorInputException(
            $"{source.Location}: the log does not serve {address.ToPath()}{(address.IsFull ? "" : " nor its full tile")}, which its checkpoint at size {treeSize} implies");
    }
}
