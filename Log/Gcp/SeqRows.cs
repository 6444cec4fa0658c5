namespace RekorPosix.Log.Gcp;

/// <summary>
/// How a batch is cut into Seq rows: a Spanner cell holds at most 10 MiB, so, as tessera HEAD
/// does, a new row starts whenever the next entry's bundle record would take the row's records
/// above 9 MiB; each row holds at least one entry and is keyed by its first index (spec
/// gcp-spanner-flavour.md §4.10). Such rows are ordinary version-1 rows to a v1.0.4 reader.
/// </summary>
internal static class SeqRows
{
    public const int MaxBundleBytesPerRow = 9 << 20;

    /// <summary>The (first entry, entry count) of each row, in order.</summary>
    public static List<(int First, int Count)> Split(IReadOnlyList<ReadOnlyMemory<byte>> entries, int maxBytes = MaxBundleBytesPerRow)
    {
        var rows = new List<(int First, int Count)>();
        int first = 0;
        long bytes = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            long record = Tiles.EntryBundle.RecordSize(entries[i].Length);
            if (i > first && bytes + record > maxBytes)
            {
                rows.Add((first, i - first));
                first = i;
                bytes = 0;
            }
            bytes += record;
        }
        if (entries.Count > first)
            rows.Add((first, entries.Count - first));
        return rows;
    }
}
