using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>An entry longer than a tlog-tiles entry bundle can carry (a 16-bit length); nothing was written.</summary>
public sealed class EntryTooLargeException(int length)
    : ArgumentException($"entry is {length} bytes; the log takes at most {EntryBundle.MaxEntrySize}")
{
    public int Length { get; } = length;
}
