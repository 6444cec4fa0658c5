using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Fuzz;

/// <summary>
/// The tile-path grammar: <see cref="TileAddress.TryParse"/> never throws, and whatever it accepts
/// is the canonical spelling (ToPath gives the input back byte for byte).
/// </summary>
public static class TilePathFuzzTarget
{
    public static IReadOnlyList<byte[]> Seeds() =>
    [
        .. new[]
        {
            "tile/0/000", "tile/0/255", "tile/1/x001/234", "tile/1/x001/234.p/17", "tile/entries/000",
            "tile/entries/x123/456.p/255", "tile/63/x999/x999/x999/x999/x999/999", "tile/entries/x009/x223/372/036/854/775/807",
            "tile/2/001.p/1", "tile/0/x000/000", "tile/entries/256", "tile/10/005.p/128",
        }.Select(Encoding.ASCII.GetBytes),
        .. FuzzCorpus.Load("tile-path"),
    ];

    public static void Run(byte[] input)
    {
        // Every byte as a char, so that bytes above 0x7F stay visible as themselves.
        string path = new([.. input.Select(b => (char)b)]);
        Check(path);
        Check(Encoding.UTF8.GetString(input));
    }

    private static void Check(string path)
    {
        if (!TileAddress.TryParse(path, out var address))
            return;
        string back = address.ToPath();
        if (back != path)
            throw new InvalidOperationException($"accepted \"{path}\" but ToPath gives \"{back}\"");
        if (!TileAddress.TryParse(back, out var again) || again != address)
            throw new InvalidOperationException($"\"{back}\" does not parse back to {address}");
    }
}
