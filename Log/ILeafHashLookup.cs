namespace RekorPosix.Log;

/// <summary>Finds an entry by its RFC 6962 leaf hash (SHA-256 of 0x00 and the entry), for the
/// proofs by leaf hash.</summary>
public interface ILeafHashLookup
{
    /// <summary>The lowest index of an entry with this leaf hash, as far as known; null if none.</summary>
    ValueTask<long?> FindLeafAsync(ReadOnlyMemory<byte> leafHash, CancellationToken cancel);
}
