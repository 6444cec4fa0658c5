using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class ReadRouteTests
{
    [Theory]
    [InlineData("/tile/0/000", "tile/0/000")]
    [InlineData("/api/v2/tile/0/000", "tile/0/000")]
    [InlineData("/tile/entries/x001/234.p/17", "tile/entries/x001/234.p/17")]
    [InlineData("/api/v2/tile/entries/000", "tile/entries/000")]
    [InlineData("/tile/63/x009/x223/x372/x036/x854/x775/807.p/255", "tile/63/x009/x223/x372/x036/x854/x775/807.p/255")]
    public void Tiles_AreTheirOwnFilePath(string path, string file)
    {
        Assert.True(ReadRoute.TryParse(path, out var route));
        Assert.False(route.IsCheckpoint);
        Assert.Equal(file, route.Tile.ToPath());
        byte[] bytes = Encoding.ASCII.GetBytes(path);
        Assert.True(ReadRoute.TryParse(bytes, out var fromBytes));
        Assert.Equal(route, fromBytes);
        Assert.Equal(file, Encoding.ASCII.GetString(bytes.AsSpan(ReadRoute.RelativeStart(bytes))));
    }

    [Theory]
    [InlineData("/checkpoint")]
    [InlineData("/api/v2/checkpoint")]
    public void Checkpoint_IsRecognised(string path)
    {
        Assert.True(ReadRoute.TryParse(path, out var route));
        Assert.True(route.IsCheckpoint);
        Assert.True(ReadRoute.TryParse(Encoding.ASCII.GetBytes(path), out route));
        Assert.True(route.IsCheckpoint);
    }

    [Theory]
    [InlineData("/checkpoints/005", 5)]
    [InlineData("/checkpoints/x001/x234/567", 1234567)]
    public void AKeptCheckpoint_IsRecognisedAtTheRoot_AsItsFilePath(string path, long size)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(path);
        Assert.True(ReadRoute.TryParse(bytes, out var route));
        Assert.True(route.IsHistory);
        Assert.False(route.IsCheckpoint);
        Assert.Equal(size, route.HistorySize);
        Assert.Equal(path[1..], Encoding.ASCII.GetString(bytes.AsSpan(ReadRoute.RelativeStart(bytes))));
    }

    [Theory]
    [InlineData("/api/v2/checkpoints/005")]
    [InlineData("/checkpoints/5")]
    [InlineData("/checkpoints/x000/005")]
    [InlineData("/checkpoints/")]
    public void AKeptCheckpoint_UnderTheApiPrefixOrMisspelt_IsNoRoute(string path) =>
        Assert.False(ReadRoute.TryParse(Encoding.ASCII.GetBytes(path), out _));

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("checkpoint")]
    [InlineData("tile/0/000")]
    [InlineData("//checkpoint")]
    [InlineData("/checkpoint/")]
    [InlineData("/Checkpoint")]
    [InlineData("/checkpoint.tmp.123")]
    [InlineData("/.checkpoint.tmp.1")]
    [InlineData("/api/v2")]
    [InlineData("/api/v2/")]
    [InlineData("/api/v2//checkpoint")]
    [InlineData("/api/v1/checkpoint")]
    [InlineData("/api/v2/api/v2/checkpoint")]
    [InlineData("/API/V2/checkpoint")]
    [InlineData("/.state/treeState")]
    [InlineData("/api/v2/.state/treeState")]
    [InlineData("/tile/../.state/treeState")]
    [InlineData("/tile/0/../../checkpoint")]
    [InlineData("/tile/0/./000")]
    [InlineData("/tile/%2e%2e/.state/treeState")]
    [InlineData("/tile/%2E%2E%2F.state%2FtreeState")]
    [InlineData("/tile/0/%30%30%30")]
    [InlineData("/tile/..%2f.state")]
    [InlineData("/tile/%252e%252e/.state")]
    [InlineData("/tile/%c0%ae%c0%ae/.state")]
    [InlineData("/tile\\..\\.state\\treeState")]
    [InlineData("/tile/0/000/")]
    [InlineData("//tile/0/000")]
    [InlineData("/tile//0/000")]
    [InlineData("/tile/0//000")]
    [InlineData("/tile/00/000")]
    [InlineData("/tile/64/000")]
    [InlineData("/tile/-1/000")]
    [InlineData("/tile/0/0")]
    [InlineData("/tile/0/0000")]
    [InlineData("/tile/0/000.p/0")]
    [InlineData("/tile/0/000.p/256")]
    [InlineData("/tile/0/000.p/05")]
    [InlineData("/tile/0/000.p/")]
    [InlineData("/tile/0/000.p")]
    [InlineData("/tile/0/000.p/5/")]
    [InlineData("/tile/0/000.p/.tmp.1")]
    [InlineData("/tile/0/.tmp.000")]
    [InlineData("/tile/entries/000.p/51681692777")]
    [InlineData("/tile/entries")]
    [InlineData("/tile/entries/")]
    [InlineData("/tile/0/x000/001")]
    [InlineData("/tile/0/x999/x999/x999/x999/x999/x999/x999/999")]
    [InlineData("/TILE/0/000")]
    [InlineData("/tile/0/000;x")]
    [InlineData("/tile/0/000\0")]
    [InlineData("/tile/0/00\u0660")]
    public void EverythingElse_IsRefused(string path)
    {
        Assert.False(ReadRoute.TryParse(path, out _));
        Assert.False(ReadRoute.TryParse(Encoding.UTF8.GetBytes(path), out _));
    }

    [Fact]
    public void AbsurdLengths_AreRefusedBeforeParsing()
    {
        string path = "/tile/0/" + string.Concat(Enumerable.Repeat("x001/", 10_000)) + "000";
        Assert.False(ReadRoute.TryParse(path, out _));
        Assert.False(ReadRoute.TryParse(Encoding.ASCII.GetBytes(path), out _));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'/', (byte)'t', 0xC3, 0xA9 })]
    [InlineData(new byte[] { (byte)'/', 0x80 })]
    [InlineData(new byte[] { (byte)'/', (byte)'c', 0x20 })]
    [InlineData(new byte[] { (byte)'/', 0x7F })]
    public void NonAsciiBytes_AreRefused(byte[] path)
    {
        Assert.False(ReadRoute.TryParse(path, out _));
    }
}
