namespace RekorPosix.Monitoring;

/// <summary>
/// One entry bundle read and checked on its own (the part of the work that may run ahead, in
/// parallel): the leaf hashes of all its entries, the findings and tally of the new ones, and, for
/// a full bundle, the level-0 tile the log serves for it.
/// </summary>
/// <param name="Skip">How many of its first entries were verified before (the old partial bundle's).</param>
internal sealed record CheckedBundle(long Index, byte[] LeafHashes, int Skip, List<EntryFinding> Findings, EntryTally Tally, ReadOnlyMemory<byte>? ServedLevel0Tile)
{
    public ReadOnlySpan<byte> NewLeafHashes => LeafHashes.AsSpan(Skip * Tiles.Rfc6962.HashSize);
}
