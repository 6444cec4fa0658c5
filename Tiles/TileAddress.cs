namespace RekorPosix.Tiles;

/// <summary>
/// One tlog-tiles resource: a hash tile <c>tile/L/N[.p/W]</c> or an entry bundle
/// <c>tile/entries/N[.p/W]</c>. Width counts hashes or entries; 256 is the full tile.
/// Entry bundles always carry Level 0, so each resource has exactly one value.
/// </summary>
public readonly record struct TileAddress
{
    public const int MaxLevel = 63;
    public const int FullWidth = 256;

    private readonly int _level;
    private readonly long _index;
    private readonly int _width;
    private readonly bool _isEntries;

    public TileAddress(int Level, long Index, int Width, bool IsEntries = false)
    {
        _isEntries = IsEntries;
        this.Level = Level;
        this.Index = Index;
        this.Width = Width;
    }

    public int Level
    {
        get => _level;
        init
        {
            if (value is < 0 or > MaxLevel || (_isEntries && value != 0))
                throw new ArgumentOutOfRangeException(nameof(Level), value, "Level must be 0..63 (0 for entry bundles).");
            _level = value;
        }
    }

    public long Index
    {
        get => _index;
        init => _index = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Index), value, "Index must not be negative.");
    }

    public int Width
    {
        get => _width;
        init => _width = value is >= 1 and <= FullWidth
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Width), value, "Width must be 1..256.");
    }

    public bool IsEntries
    {
        get => _isEntries;
        init
        {
            if (value && _level != 0)
                throw new ArgumentOutOfRangeException(nameof(IsEntries), "Entry bundles have level 0.");
            _isEntries = value;
        }
    }

    public bool IsFull => _width == FullWidth;

    public void Deconstruct(out int Level, out long Index, out int Width, out bool IsEntries)
    {
        Level = _level;
        Index = _index;
        Width = _width;
        IsEntries = _isEntries;
    }

    /// <summary>The path relative to the log root, e.g. <c>tile/1/x001/234.p/17</c>.</summary>
    public string ToPath()
    {
        // default(TileAddress) bypasses the checks above and has width 0.
        if (_width == 0)
            throw new InvalidOperationException("An uninitialised TileAddress has no path.");
        Span<char> buffer = stackalloc char[64];
        int n = 0;
        Append(buffer, ref n, "tile/");
        if (_isEntries)
        {
            Append(buffer, ref n, "entries");
        }
        else
        {
            _level.TryFormat(buffer[n..], out int written, default, null);
            n += written;
        }
        buffer[n++] = '/';
        n += TilePathParser.FormatIndex(_index, buffer[n..]);
        if (!IsFull)
        {
            Append(buffer, ref n, ".p/");
            _width.TryFormat(buffer[n..], out int written, default, null);
            n += written;
        }
        return new string(buffer[..n]);
    }

    public override string ToString() => _width == 0 ? "(no tile)" : ToPath();

    /// <summary>Strict inverse of <see cref="ToPath"/>: only the canonical spelling is accepted.</summary>
    public static bool TryParse(ReadOnlySpan<char> path, out TileAddress address) =>
        TilePathParser.TryParse(path, out address);

    private static void Append(Span<char> buffer, ref int n, string text)
    {
        text.CopyTo(buffer[n..]);
        n += text.Length;
    }
}
