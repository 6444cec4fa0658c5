using RekorPosix.Monitoring;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Monitoring;

public class TileFetcherTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TileFetcher _tiles;

    public TileFetcherTests()
    {
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), _dir.Path);
        _tiles = new TileFetcher(new DirectoryLogSource(_dir.Path));
    }

    public void Dispose() => _dir.Dispose();

    private static TileAddress Tile(int width) => new(0, 0, width);
    private static TileAddress Bundle(int width) => new(0, 0, width, IsEntries: true);

    [Fact]
    public async Task APartial_IsReadAtItsWidth()
    {
        var tile = await _tiles.ReadHashTileAsync(Tile(7), 15, CancellationToken.None);
        Assert.Equal(File.ReadAllBytes(_dir["tile/0/000.p/7"]), tile.ToArray());
        Assert.Equal(7, (await _tiles.ReadEntryBundleAsync(Bundle(7), 15, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task AMissingPartial_IsCutFromTheFullTile()
    {
        File.Delete(_dir["tile/0/000.p/7"]);
        File.WriteAllBytes(_dir["tile/0/000"], [.. File.ReadAllBytes(_dir["tile/0/000.p/15"]), .. new byte[241 * 32]]);
        var tile = await _tiles.ReadHashTileAsync(Tile(7), 15, CancellationToken.None);
        Assert.Equal(File.ReadAllBytes(_dir["tile/0/000.p/15"])[..(7 * 32)], tile.ToArray());
    }

    [Fact]
    public async Task AResourceNeitherPartialNorFull_IsAnInputError_NamingTheSize()
    {
        File.Delete(_dir["tile/entries/000.p/7"]);
        var error = await Assert.ThrowsAsync<MonitorInputException>(() => _tiles.ReadEntryBundleAsync(Bundle(7), 15, CancellationToken.None));
        Assert.Contains("does not serve tile/entries/000.p/7 nor its full tile, which its checkpoint at size 15 implies", error.Message);
    }

    [Fact]
    public async Task ATileOfTheWrongLength_IsAVerificationFailure()
    {
        File.WriteAllBytes(_dir["tile/0/000.p/7"], new byte[6 * 32]);
        var error = await Assert.ThrowsAsync<LogVerificationException>(() => _tiles.ReadHashTileAsync(Tile(7), 15, CancellationToken.None));
        Assert.Contains("tile/0/000.p/7 is 192 bytes, not the 224 of 7 hashes", error.Message);
    }

    [Fact]
    public async Task AFullTileHoldingFewerThan256Hashes_IsAVerificationFailure()
    {
        File.Delete(_dir["tile/0/000.p/7"]);
        File.WriteAllBytes(_dir["tile/0/000"], new byte[100 * 32]);
        var error = await Assert.ThrowsAsync<LogVerificationException>(() => _tiles.ReadHashTileAsync(Tile(7), 15, CancellationToken.None));
        Assert.Contains("tile/0/000 is 3200 bytes", error.Message);
    }

    [Fact]
    public async Task ABundleWithTooManyEntries_OrNoBundleAtAll_IsAVerificationFailure()
    {
        File.Copy(_dir["tile/entries/000.p/8"], _dir["tile/entries/000.p/7"], overwrite: true);
        var error = await Assert.ThrowsAsync<LogVerificationException>(() => _tiles.ReadEntryBundleAsync(Bundle(7), 15, CancellationToken.None));
        Assert.Contains("tile/entries/000.p/7 holds 8 entries, not 7", error.Message);

        File.WriteAllBytes(_dir["tile/entries/000.p/7"], [0, 9, 1]);
        error = await Assert.ThrowsAsync<LogVerificationException>(() => _tiles.ReadEntryBundleAsync(Bundle(7), 15, CancellationToken.None));
        Assert.Contains("tile/entries/000.p/7 is not an entry bundle", error.Message);
    }

    [Fact]
    public async Task NoCheckpoint_IsAnInputError()
    {
        File.Delete(_dir["checkpoint"]);
        var error = await Assert.ThrowsAsync<MonitorInputException>(() => _tiles.ReadCheckpointAsync(CancellationToken.None));
        Assert.Contains("the log has no checkpoint", error.Message);
    }
}
