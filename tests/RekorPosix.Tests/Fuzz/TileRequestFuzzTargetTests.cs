using RekorPosix.Http.TileServer;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Fuzz;

/// <summary>The seeds of the tile-request target reach every outcome the listener has, so that
/// mutations start next to each of them.</summary>
public class TileRequestFuzzTargetTests
{
    [Fact]
    public void Seeds_ReachEveryRefusalStatus_AndEveryKindOfAnswer()
    {
        var refusals = new HashSet<int>();
        var answers = new HashSet<string>();
        foreach (byte[] seed in TileRequestFuzzTarget.Seeds())
        {
            switch (RequestParser.TryParse(seed, TileListenerLimits.Default, out var head, out int status))
            {
                case ParseResult.Invalid:
                    refusals.Add(status);
                    break;
                case ParseResult.Complete when !head.IsRead:
                    answers.Add("405");
                    break;
                case ParseResult.Complete:
                    var path = seed.AsSpan(head.PathStart, head.PathLength);
                    answers.Add(!ReadRoute.TryParse(path, out var route) ? "404"
                        : route.IsCheckpoint ? "checkpoint"
                        : route.Tile.IsEntries ? "bundle"
                        : "tile");
                    if (head.Length < seed.Length)
                        answers.Add("pipelined");
                    break;
            }
        }
        Assert.Equal([400, 413, 414, 431, 505], refusals.Order());
        Assert.Equal(["404", "405", "bundle", "checkpoint", "pipelined", "tile"], answers.Order());
    }

    [Fact]
    public void EverySeed_PassesTheTarget()
    {
        foreach (byte[] seed in TileRequestFuzzTarget.Seeds())
            TileRequestFuzzTarget.Run(seed);
    }
}
