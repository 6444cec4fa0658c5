namespace RekorPosix.Log;

/// <summary>
/// Finds an entry by its RFC 9162 leaf hash (SHA-256 of 0x00 and the entry), for
/// <c>GET /api/v2/proof/inclusion?leaf_hash=</c>. The search index (<c>--search-index</c>)
/// provides it; without one, proofs are found by index only.
/// </summary>
public interface ILeafHashLookup
{
    /// <summary>The log index of the entry whose leaf hash is <paramref name="leafHash"/> (32 bytes),
    /// or null when the index holds none. An index that lags the log may not know the newest
    /// entries yet; what it answers is checked against the tiles before a proof is given.</summary>
    ValueTask<long?> FindLeafAsync(ReadOnlyMemory<byte> leafHash, CancellationToken cancel);
}
