namespace RekorPosix.Tiles;

/// <summary>
/// A tlog-tiles read URL path: <c>/checkpoint</c> or a tile or entry bundle, at the root or under
/// <c>/api/v2</c> (where Rekor v2 clients look), or a kept checkpoint of checkpoint history at the
/// root (<c>/checkpoints/N</c>, as the files lie; under <c>/api/v2</c> the server takes a decimal
/// size instead). The tile part is <see cref="TileAddress.TryParse"/> itself, so one spelling per
/// resource holds here too: no decoding, no dot segments, no slashes to merge. A path that parses
/// is byte for byte the relative file path after the prefix.
/// </summary>
/// <param name="HistorySize">The tree size of a kept checkpoint; -1 for any other resource.</param>
public readonly record struct ReadRoute(bool IsCheckpoint, TileAddress Tile, long HistorySize = -1)
{
    /// <summary>A kept checkpoint of checkpoint history, of <see cref="HistorySize"/>.</summary>
    public bool IsHistory => HistorySize >= 0;

    public const string ApiPrefix = "/api/v2";
    private const string CheckpointName = "checkpoint";

    /// <summary>Longer than any canonical route: the longest tile path has 52 characters, 60 under /api/v2.</summary>
    public const int MaxLength = 96;

    public static ReadRoute Checkpoint => new(true, default);

    public static bool TryParse(ReadOnlySpan<char> path, out ReadRoute route)
    {
        route = default;
        var relative = RelativePath(path);
        if (relative.IsEmpty)
            return false;
        if (relative.SequenceEqual(CheckpointName))
        {
            route = Checkpoint;
            return true;
        }
        if (!path.StartsWith(ApiPrefix + "/", StringComparison.Ordinal) && CheckpointHistoryPath.TryParse(relative, out long size))
        {
            route = new ReadRoute(false, default, size);
            return true;
        }
        if (!TileAddress.TryParse(relative, out var tile))
            return false;
        route = new ReadRoute(false, tile);
        return true;
    }

    /// <summary>The same grammar over the raw bytes of a request target: anything outside
    /// printable ASCII is refused before it is widened to characters.</summary>
    public static bool TryParse(ReadOnlySpan<byte> path, out ReadRoute route)
    {
        route = default;
        if (path.Length > MaxLength)
            return false;
        Span<char> chars = stackalloc char[path.Length];
        for (int i = 0; i < path.Length; i++)
        {
            byte b = path[i];
            if (b is <= 0x20 or >= 0x7F)
                return false;
            chars[i] = (char)b;
        }
        return TryParse(chars, out route);
    }

    /// <summary>Where the file path starts in a route: after <c>/api/v2/</c> or after the first
    /// <c>/</c>. Only meaningful for a path that <see cref="TryParse(ReadOnlySpan{char}, out ReadRoute)"/> accepted.</summary>
    public static int RelativeStart(ReadOnlySpan<byte> path) =>
        path.StartsWith("/api/v2/"u8) ? ApiPrefix.Length + 1 : 1;

    private static ReadOnlySpan<char> RelativePath(ReadOnlySpan<char> path)
    {
        if (path.Length > MaxLength || path.IsEmpty || path[0] != '/')
            return default;
        if (path.StartsWith(ApiPrefix + "/", StringComparison.Ordinal))
            return path[(ApiPrefix.Length + 1)..];
        return path[1..];
    }
}
