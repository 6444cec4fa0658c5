namespace RekorPosix.Tiles;

/// <summary>
/// Where checkpoint history keeps the note of a tree size: <c>checkpoints/</c> and the size in the
/// tlog-tiles index encoding (https://github.com/C2SP/C2SP/blob/main/tlog-tiles.md), e.g.
/// <c>checkpoints/005</c> for size 5 and <c>checkpoints/x001/x234/567</c> for 1,234,567. The 'x'
/// on every group but the last is what lets <c>001</c> be a note and <c>x001/</c> a directory
/// beside it, as for tiles. The same key in a log directory and in a bucket.
/// </summary>
public static class CheckpointHistoryPath
{
    public const string Prefix = "checkpoints/";

    /// <summary>The relative path (or object key) of the note of <paramref name="treeSize"/>.</summary>
    public static string For(long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        Span<char> buffer = stackalloc char[Prefix.Length + 40];
        Prefix.CopyTo(buffer);
        int n = Prefix.Length + TilePathParser.FormatIndex(treeSize, buffer[Prefix.Length..]);
        return new string(buffer[..n]);
    }

    /// <summary>Strict inverse of <see cref="For"/>: only the canonical spelling is accepted.</summary>
    public static bool TryParse(ReadOnlySpan<char> path, out long treeSize)
    {
        treeSize = 0;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var rest = path[Prefix.Length..];
        return TilePathParser.TryParseIndex(ref rest, out treeSize) && rest.IsEmpty;
    }
}
