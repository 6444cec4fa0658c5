namespace RekorPosix.Tiles;

/// <summary>
/// The tlog-tiles path grammar. The parser guards a public file server, so it accepts exactly
/// the strings <see cref="TileAddress.ToPath"/> produces and nothing else: one spelling per tile.
/// </summary>
internal static class TilePathParser
{
    private const string Prefix = "tile/";
    private const string EntriesSegment = "entries/";
    private const string PartialMarker = ".p/";

    // long.MaxValue has 19 digits, i.e. at most 7 groups of 3 (33 characters with the x and /).
    private const int MaxGroups = 7;

    /// <summary>Writes N as 3-digit groups, all but the last prefixed 'x'. Returns chars written.</summary>
    public static int FormatIndex(long index, Span<char> destination)
    {
        Span<int> groups = stackalloc int[MaxGroups];
        int count = 0;
        do
        {
            groups[count++] = (int)(index % 1000);
            index /= 1000;
        } while (index > 0);

        int n = 0;
        for (int g = count - 1; g >= 0; g--)
        {
            if (g > 0)
                destination[n++] = 'x';
            int value = groups[g];
            destination[n++] = (char)('0' + value / 100);
            destination[n++] = (char)('0' + value / 10 % 10);
            destination[n++] = (char)('0' + value % 10);
            if (g > 0)
                destination[n++] = '/';
        }
        return n;
    }

    public static bool TryParse(ReadOnlySpan<char> path, out TileAddress address)
    {
        address = default;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var rest = path[Prefix.Length..];

        int level = 0;
        bool isEntries = rest.StartsWith(EntriesSegment, StringComparison.Ordinal);
        if (isEntries)
        {
            rest = rest[EntriesSegment.Length..];
        }
        else
        {
            int slash = rest.IndexOf('/');
            if (slash < 0 || !TryParseSmallNumber(rest[..slash], TileAddress.MaxLevel, allowZero: true, out level))
                return false;
            rest = rest[(slash + 1)..];
        }

        if (!TryParseIndex(ref rest, out long index))
            return false;

        int width = TileAddress.FullWidth;
        if (!rest.IsEmpty)
        {
            if (!rest.StartsWith(PartialMarker, StringComparison.Ordinal)
                || !TryParseSmallNumber(rest[PartialMarker.Length..], TileAddress.FullWidth - 1, allowZero: false, out width))
                return false;
        }

        address = new TileAddress(level, index, width, isEntries);
        return true;
    }

    /// <summary>
    /// Consumes "x123/x456/789": every group exactly 3 ASCII digits, 'x' on all but the last,
    /// no leading all-zero group when there are several, no overflow. Leaves the remainder.
    /// </summary>
    internal static bool TryParseIndex(ref ReadOnlySpan<char> rest, out long index)
    {
        index = 0;
        for (int group = 0; group < MaxGroups; group++)
        {
            bool prefixed = !rest.IsEmpty && rest[0] == 'x';
            var body = prefixed ? rest[1..] : rest;
            if (body.Length < 3 || !TryParseGroup(body[..3], out int value))
                return false;
            if (group == 0 && prefixed && value == 0)
                return false; // "x000/..." would be a second spelling of a smaller index.
            if (index > (long.MaxValue - value) / 1000)
                return false;
            index = index * 1000 + value;
            body = body[3..];
            if (!prefixed)
            {
                rest = body;
                return true;
            }
            if (body.IsEmpty || body[0] != '/')
                return false;
            rest = body[1..];
        }
        return false;
    }

    private static bool TryParseGroup(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
                return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    /// <summary>A plain decimal with no sign, no leading zeros and at most <paramref name="max"/>.</summary>
    private static bool TryParseSmallNumber(ReadOnlySpan<char> text, int max, bool allowZero, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 3 || (text[0] == '0' && text.Length > 1))
            return false;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
                return false;
            value = value * 10 + (c - '0');
        }
        return value <= max && (allowZero || value > 0);
    }
}
