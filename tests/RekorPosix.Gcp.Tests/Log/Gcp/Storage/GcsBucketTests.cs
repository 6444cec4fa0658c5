using RekorPosix.Log;
using RekorPosix.Log.Gcp.Storage;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Storage;

/// <summary>The log's bucket rules over the JSON API (spec gcp-spanner-flavour.md §5.1-§5.4,
/// cloud-flavours.md §4.2-§4.3): metadata, create-only with the equal-bytes rule, the checkpoint
/// overwritten, partials deleted by prefix across list pages.</summary>
public sealed class GcsBucketTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private FakeGcsServer _server = null!;
    private GcsBucket _bucket = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeGcsServer.StartAsync("tiles");
        _bucket = new GcsBucket(new GcsClient(_http, GcsEndpoint.Emulator(_server.HostPort), "tiles", new GcsSettings { ListPageSize = 3 }));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task TilesAndBundles_CarryTheImmutableMetadata()
    {
        await _bucket.PutImmutableAsync("tile/entries/000", new byte[] { 0, 1, 42 }, CancellationToken.None);

        var stored = _server.Get("tile/entries/000")!;
        Assert.Equal([0, 1, 42], stored.Data);
        Assert.Equal("application/octet-stream", stored.ContentType);
        Assert.Equal("max-age=604800,immutable", stored.CacheControl);
        Assert.Equal([0, 1, 42], await _bucket.ReadAsync("tile/entries/000", CancellationToken.None));
    }

    [Fact]
    public async Task TheSameBytesAgain_AreAccepted_AfterReadingThemBack()
    {
        await _bucket.PutImmutableAsync("tile/0/000.p/3", new byte[] { 9, 9, 9 }, CancellationToken.None);
        long generation = _server.Get("tile/0/000.p/3")!.Generation;

        await _bucket.PutImmutableAsync("tile/0/000.p/3", new byte[] { 9, 9, 9 }, CancellationToken.None);

        Assert.Equal(generation, _server.Get("tile/0/000.p/3")!.Generation);
        Assert.Equal(["POST", "POST", "GET"], _server.Requests.Select(r => r.Split(' ')[0]));
    }

    [Fact]
    public async Task OtherBytes_AreRefused_AndTheObjectIsKept()
    {
        await _bucket.PutImmutableAsync("tile/0/000", new byte[] { 1 }, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<LogStateException>(() => _bucket.PutImmutableAsync("tile/0/000", new byte[] { 2 }, CancellationToken.None));

        Assert.Equal("tile/0/000 in bucket tiles holds other bytes than the log computes for it: refusing to overwrite", failure.Message);
        Assert.Equal([1], _server.Get("tile/0/000")!.Data);
    }

    [Fact]
    public async Task TheCheckpoint_IsOverwritten_AsPlainTextWithoutCaching()
    {
        await _bucket.PutCheckpointAsync("origin\n1\n"u8.ToArray(), CancellationToken.None);
        await _bucket.PutCheckpointAsync("origin\n2\n"u8.ToArray(), CancellationToken.None);

        var stored = _server.Get(GcsBucket.CheckpointKey)!;
        Assert.Equal("origin\n2\n"u8.ToArray(), stored.Data);
        Assert.Equal("text/plain; charset=utf-8", stored.ContentType);
        Assert.Equal("no-cache", stored.CacheControl);
    }

    [Fact]
    public async Task DeletingAPrefix_RemovesItsObjectsOnEveryPage_AndNothingElse()
    {
        for (int width = 1; width <= 7; width++)
            _server.Put($"tile/0/001.p/{width}", [1]);
        _server.Put("tile/0/001", [1]);
        _server.Put("tile/0/002.p/1", [1]);

        await _bucket.DeletePrefixAsync("tile/0/001.p/", CancellationToken.None);

        Assert.Equal(["tile/0/001", "tile/0/002.p/1"], _server.Names());
        Assert.Equal(3, _server.Requests.Count(r => r.StartsWith("GET /storage/v1/b/tiles/o?prefix=tile%2F0%2F001.p%2F", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DeletingAnEmptyPrefix_SendsOneListAndNoDelete()
    {
        await _bucket.DeletePrefixAsync("tile/0/001.p/", CancellationToken.None);

        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ListingAPrefix_GivesAllNamesInOrder()
    {
        foreach (string name in new[] { "b/5", "b/1", "b/3", "b/2", "b/4", "c/1" })
            _server.Put(name, [1]);

        Assert.Equal(["b/1", "b/2", "b/3", "b/4", "b/5"], await _bucket.ListAsync("b/", CancellationToken.None));
    }
}
