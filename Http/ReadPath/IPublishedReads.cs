using RekorPosix.Tiles;

namespace RekorPosix.Http.ReadPath;

/// <summary>
/// What both read ports serve: the published checkpoint, and the tiles and bundles it implies.
/// A log directory answers at once (<see cref="PublishedFiles"/>, which the sendfile listener
/// uses directly); a bucket answers over the network (<see cref="StoredFiles"/>).
/// </summary>
internal interface IPublishedReads : IDisposable
{
    /// <param name="route">A parsed read route.</param>
    /// <param name="relativePath">The route's path after its prefix, as sent (only a directory uses it).</param>
    /// <param name="cancel">The client gave up.</param>
    ValueTask<ReadResult> ReadAsync(ReadRoute route, ReadOnlyMemory<byte> relativePath, CancellationToken cancel);

    /// <summary>Bytes of tiles and bundles held in memory now (0 without a cache).</summary>
    long CachedBytes { get; }
}
