using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>
/// Read access to what a log's storage holds, the way tessera's LogReader gives it. Every read is
/// asynchronous and cancellable: a cloud driver answers from a database and a bucket.
/// </summary>
public interface ILogReader
{
    /// <summary>The published checkpoint note as stored (log signature and any cosignatures), or
    /// null before the first publication.</summary>
    ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel);

    /// <summary>A hash tile at exactly <c>address.Width</c> hashes; a partial that is gone is cut from
    /// its full tile. Throws <see cref="FileNotFoundException"/> when neither is stored.</summary>
    ValueTask<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address, CancellationToken cancel);

    /// <summary>An entry bundle holding exactly <c>address.Width</c> entries (same fallback and
    /// failure as <see cref="ReadTileAsync"/>).</summary>
    ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, CancellationToken cancel);

    /// <summary>
    /// As <see cref="ReadEntryBundleAsync(TileAddress, CancellationToken)"/>, for a caller that reads
    /// bundle after bundle and keeps only the last (the dedup follower): a storage that can read in
    /// place does so into memory from <paramref name="space"/> that does not overlap
    /// <paramref name="keep"/>, instead of a new array of up to hundreds of KiB each time.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, BundleSpace space, ReadOnlyMemory<byte> keep, CancellationToken cancel) =>
        ReadEntryBundleAsync(address, cancel);

    /// <summary>The size of the integrated tree, by any process. It may be ahead of the published
    /// checkpoint and MUST NOT stand in for reading the checkpoint when something is promised to a client.</summary>
    ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel);
}
