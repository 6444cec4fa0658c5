namespace RekorPosix.Log.Search;

/// <summary>What to look for: entries with all (<see cref="MatchAll"/>) or any of the keys.</summary>
internal sealed record SearchQuery
{
    /// <summary>Most keys in one query: one per criterion of the API.</summary>
    public const int MaxKeys = 8;

    public SearchQuery(IEnumerable<byte[]> keys, bool matchAll)
    {
        // A key twice would count twice in an AND.
        Keys = keys.DistinctBy(Convert.ToHexString).ToList();
        if (Keys.Count is 0 or > MaxKeys)
            throw new ArgumentException($"a query has 1 to {MaxKeys} keys, not {Keys.Count}", nameof(keys));
        if (Keys.Any(k => k.Length != SearchKey.Size))
            throw new ArgumentException($"a search key is {SearchKey.Size} bytes", nameof(keys));
        MatchAll = matchAll;
    }

    public IReadOnlyList<byte[]> Keys { get; }

    public bool MatchAll { get; }
}
