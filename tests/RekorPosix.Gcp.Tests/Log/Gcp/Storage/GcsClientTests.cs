using System.Collections.Concurrent;
using System.Net;
using RekorPosix.Log.Gcp;
using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Log.Gcp.Storage;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Storage;

/// <summary>The four JSON API calls against the in-process GCS server (spec gcp-spanner-flavour.md
/// §5.2-§5.6): round trips, names in paths, 404, create-only, paging, retries, tokens, timeouts.</summary>
public sealed class GcsClientTests : IAsyncLifetime
{
    private static readonly GcsSettings QuickRetries = new() { InitialBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5) };
    private readonly HttpClient _http = GoogleHttpClient.Create();
    private FakeGcsServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeGcsServer.StartAsync("tiles");

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private GcsClient Client(GcsSettings? settings = null, GcsEndpoint? endpoint = null) =>
        new(_http, endpoint ?? GcsEndpoint.Emulator(_server.HostPort), "tiles", settings ?? QuickRetries);

    private static Task<bool> CreateAsync(GcsClient client, string name, byte[] data) =>
        client.UploadAsync(name, data, "application/octet-stream", "max-age=604800,immutable", createOnly: true, CancellationToken.None);

    [Fact]
    public async Task AnUpload_IsReadBack_WithItsMetadata()
    {
        var client = Client();
        byte[] data = [0, 1, 2, 255, 13, 10, 45, 45];

        Assert.True(await CreateAsync(client, "tile/0/x001/x234/067", data));

        Assert.Equal(data, await client.DownloadAsync("tile/0/x001/x234/067", CancellationToken.None));
        var stored = _server.Get("tile/0/x001/x234/067")!;
        Assert.Equal("application/octet-stream", stored.ContentType);
        Assert.Equal("max-age=604800,immutable", stored.CacheControl);
        Assert.Contains("POST /upload/storage/v1/b/tiles/o?uploadType=multipart&ifGenerationMatch=0", _server.Requests);
        Assert.Contains("GET /storage/v1/b/tiles/o/tile%2F0%2Fx001%2Fx234%2F067?alt=media", _server.Requests);
    }

    [Theory]
    [InlineData("tile/entries/001.p/4")]
    [InlineData("a name with spaces+plus?query#hash%25&amp=x")]
    [InlineData("unicode/é/日本")]
    public async Task AnyName_IsOnePathSegment(string name)
    {
        var client = Client();

        Assert.True(await CreateAsync(client, name, [7]));

        Assert.Equal([7], await client.DownloadAsync(name, CancellationToken.None));
        Assert.True(await client.DeleteAsync(name, CancellationToken.None));
        Assert.Contains($"DELETE /storage/v1/b/tiles/o/{Uri.EscapeDataString(name)}", _server.Requests);
        Assert.Empty(_server.Names());
    }

    [Fact]
    public async Task AMissingObject_IsNull()
    {
        Assert.Null(await Client().DownloadAsync("checkpoint", CancellationToken.None));
    }

    [Fact]
    public async Task AnObjectLargerThanTheLimit_IsRefused()
    {
        _server.Put("tile/entries/000", new byte[1025]);

        var failure = await Assert.ThrowsAsync<GcsException>(() => Client(QuickRetries with { MaxObjectBytes = 1024 }).DownloadAsync("tile/entries/000", CancellationToken.None));

        Assert.Equal("read tile/entries/000 in bucket tiles: larger than 1024 bytes, more than any object of a log", failure.Message);
    }

    [Fact]
    public async Task CreateOnly_OnAnExistingObject_IsFalse_AndLeavesIt()
    {
        var client = Client();
        await CreateAsync(client, "tile/0/000", [1]);
        long generation = _server.Get("tile/0/000")!.Generation;

        Assert.False(await CreateAsync(client, "tile/0/000", [2]));

        Assert.Equal([1], _server.Get("tile/0/000")!.Data);
        Assert.Equal(generation, _server.Get("tile/0/000")!.Generation);
    }

    [Fact]
    public async Task AnOverwrite_ReplacesTheObject_WithANewGeneration()
    {
        var client = Client();
        await client.UploadAsync("checkpoint", "one"u8.ToArray(), "text/plain; charset=utf-8", "no-cache", createOnly: false, CancellationToken.None);
        long first = _server.Get("checkpoint")!.Generation;

        Assert.True(await client.UploadAsync("checkpoint", "two"u8.ToArray(), "text/plain; charset=utf-8", "no-cache", createOnly: false, CancellationToken.None));

        Assert.Equal("two"u8.ToArray(), await client.DownloadAsync("checkpoint", CancellationToken.None));
        Assert.True(_server.Get("checkpoint")!.Generation > first);
        Assert.Contains("POST /upload/storage/v1/b/tiles/o?uploadType=multipart", _server.Requests);
    }

    [Fact]
    public async Task AList_IsPaged_ByPrefix()
    {
        foreach (string name in new[] { "tile/0/000", "tile/0/000.p/1", "tile/0/000.p/2", "tile/0/000.p/3", "tile/0/001", "tile/1/000.p/1" })
            _server.Put(name, [1]);
        var client = Client(QuickRetries with { ListPageSize = 2 });

        var first = await client.ListAsync("tile/0/000.p/", null, CancellationToken.None);
        var second = await client.ListAsync("tile/0/000.p/", first.NextPageToken, CancellationToken.None);

        Assert.Equal(["tile/0/000.p/1", "tile/0/000.p/2"], first.Items!.Select(i => i.Name));
        Assert.Equal(["tile/0/000.p/3"], second.Items!.Select(i => i.Name));
        Assert.Null(second.NextPageToken);
        Assert.Null((await client.ListAsync("nothing/", null, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task ADelete_OfAMissingObject_IsFalse()
    {
        var client = Client();
        _server.Put("tile/0/000.p/1", [1]);

        Assert.True(await client.DeleteAsync("tile/0/000.p/1", CancellationToken.None));
        Assert.False(await client.DeleteAsync("tile/0/000.p/1", CancellationToken.None));
    }

    [Fact]
    public async Task IdempotentCalls_AreTriedAgain_On503And429()
    {
        var client = Client();
        _server.Put("tile/0/000", [1]);
        foreach (int status in new[] { 503, 429, 500, 408 })
            _server.FailNext.Enqueue(status);

        Assert.Equal([1], await client.DownloadAsync("tile/0/000", CancellationToken.None));
        Assert.Equal(5, _server.Requests.Count);

        _server.FailNext.Enqueue(503);
        Assert.True(await CreateAsync(client, "tile/0/001", [2]));
        _server.FailNext.Enqueue(429);
        Assert.Equal(2, (await client.ListAsync("tile/", null, CancellationToken.None)).Items!.Count);
        _server.FailNext.Enqueue(503);
        Assert.True(await client.DeleteAsync("tile/0/001", CancellationToken.None));
        Assert.Equal(11, _server.Requests.Count);
    }

    [Fact]
    public async Task AnOverwrite_IsNotTriedAgain()
    {
        _server.FailNext.Enqueue(429);

        var failure = await Assert.ThrowsAsync<GcsException>(() => Client().UploadAsync("checkpoint", "x"u8.ToArray(), "text/plain; charset=utf-8", "no-cache",
            createOnly: false, CancellationToken.None));

        Assert.Equal(HttpStatusCode.TooManyRequests, failure.Status);
        Assert.Equal($"write checkpoint in bucket tiles: the storage emulator at {_server.HostPort} answered HTTP 429: The object exceeded the rate limit for object mutation operations.",
            failure.Message);
        Assert.Single(_server.Requests);
        Assert.Null(_server.Get("checkpoint"));
    }

    [Fact]
    public async Task RetriesEnd_AfterTheConfiguredTries()
    {
        for (int i = 0; i < 3; i++)
            _server.FailNext.Enqueue(503);

        var failure = await Assert.ThrowsAsync<GcsException>(() => Client(QuickRetries with { Attempts = 3 }).DownloadAsync("tile/0/000", CancellationToken.None));

        Assert.Equal($"read tile/0/000 in bucket tiles: the storage emulator at {_server.HostPort} answered HTTP 503: Backend Error (3 tries)", failure.Message);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task AnUnexpectedStatus_IsNotTriedAgain()
    {
        _server.FailNext.Enqueue(403);

        var failure = await Assert.ThrowsAsync<GcsException>(() => Client().DownloadAsync("tile/0/000", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, failure.Status);
        Assert.Equal($"read tile/0/000 in bucket tiles: the storage emulator at {_server.HostPort} answered HTTP 403: Backend Error", failure.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task AMissingBucket_IsAnError_NotAMissingObject()
    {
        var client = new GcsClient(_http, GcsEndpoint.Emulator(_server.HostPort), "other", QuickRetries);

        var failure = await Assert.ThrowsAsync<GcsException>(() => client.DownloadAsync("checkpoint", CancellationToken.None));

        Assert.Equal($"read checkpoint in bucket other: the storage emulator at {_server.HostPort} answered HTTP 404: The specified bucket does not exist.", failure.Message);
        Assert.Equal(HttpStatusCode.NotFound, failure.Status);
    }

    [Fact]
    public async Task AnExpiredToken_RefusedWith401_IsReplaced_OnceAndForAll()
    {
        var flow = new CountingFlow();
        using var tokens = new CachedTokenSource(flow, TimeProvider.System, new AuthSettings());
        _server.AcceptedTokens = new ConcurrentDictionary<string, bool> { ["token-1"] = true };
        var client = Client(endpoint: new GcsEndpoint(_server.Root, tokens));
        Assert.True(await CreateAsync(client, "tile/0/000", [1]));

        // The bucket no longer takes token-1 (expired there, or revoked), though it is fresh here.
        _server.AcceptedTokens = new ConcurrentDictionary<string, bool> { ["token-2"] = true };
        Assert.True(await client.UploadAsync("checkpoint", "x"u8.ToArray(), "text/plain; charset=utf-8", "no-cache", createOnly: false, CancellationToken.None));
        Assert.Equal([1], await client.DownloadAsync("tile/0/000", CancellationToken.None));

        Assert.Equal(2, flow.Fetches);
        Assert.Equal(4, _server.Requests.Count);
    }

    [Fact]
    public async Task ATokenNearItsExpiry_IsReplacedBeforeTheBucketRefusesIt()
    {
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(1796558400));
        var flow = new CountingFlow();
        using var tokens = new CachedTokenSource(flow, clock, new AuthSettings());
        _server.Put("tile/0/000", [1]);
        _server.AcceptedTokens = new ConcurrentDictionary<string, bool> { ["token-1"] = true };
        var client = Client(endpoint: new GcsEndpoint(_server.Root, tokens));
        Assert.Equal([1], await client.DownloadAsync("tile/0/000", CancellationToken.None));

        clock.Advance(TimeSpan.FromMinutes(56));
        _server.AcceptedTokens = new ConcurrentDictionary<string, bool> { ["token-2"] = true };

        Assert.Equal([1], await client.DownloadAsync("tile/0/000", CancellationToken.None));
        Assert.Equal(2, flow.Fetches);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task ATokenRefusedTwice_FailsWith401()
    {
        using var tokens = new CachedTokenSource(new CountingFlow(), TimeProvider.System, new AuthSettings());
        _server.AcceptedTokens = new ConcurrentDictionary<string, bool>();

        var failure = await Assert.ThrowsAsync<GcsException>(() => Client(endpoint: new GcsEndpoint(_server.Root, tokens)).DownloadAsync("x", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, failure.Status);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task ACallWithoutAnAnswer_TimesOut()
    {
        var client = Client(QuickRetries with { CallTimeout = TimeSpan.FromMilliseconds(500) });
        await WarmUpAsync(client);
        _server.StallNext = 1;

        var failure = await Assert.ThrowsAsync<GcsException>(() => client.UploadAsync("checkpoint", "x"u8.ToArray(), "text/plain; charset=utf-8", "no-cache",
            createOnly: false, CancellationToken.None));

        Assert.Equal($"write checkpoint in bucket tiles: no answer from the storage emulator at {_server.HostPort} within 0.5 s", failure.Message);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task AnIdempotentCallThatTimedOut_IsTriedAgain()
    {
        _server.Put("tile/0/000", [1]);
        var client = Client(QuickRetries with { CallTimeout = TimeSpan.FromMilliseconds(500) });
        await WarmUpAsync(client);
        _server.StallNext = 1;

        Assert.Equal([1], await client.DownloadAsync("tile/0/000", CancellationToken.None));
        Assert.Equal(3, _server.Requests.Count);
    }

    /// <summary>A first call, so that a short timeout is not spent on connecting and compiling and
    /// the stalled request is known to reach the server.</summary>
    private static async Task WarmUpAsync(GcsClient client) => await client.DownloadAsync("warm-up", CancellationToken.None);

    [Fact]
    public async Task TheCallersCancellation_IsNotATimeout()
    {
        _server.StallNext = 1;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().DownloadAsync("tile/0/000", cancel.Token));
    }

    /// <summary>token-1, token-2, …, each for an hour.</summary>
    private sealed class CountingFlow : ITokenFlow
    {
        public int Fetches;

        public string Source => "a counting flow";

        public Task<AccessToken> FetchAsync(CancellationToken cancel) =>
            Task.FromResult(new AccessToken($"token-{Interlocked.Increment(ref Fetches)}", TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData("billed-project")]
    [InlineData(null)]
    public async Task EveryCall_SaysWhoCalls_AndBillsTheQuotaProjectWhenThereIsOne(string? quotaProject)
    {
        var client = Client(endpoint: new GcsEndpoint(_server.Root, new FixedTokenSource(), quotaProject));

        Assert.True(await CreateAsync(client, "tile/0/000", [1]));
        Assert.NotNull(await client.DownloadAsync("tile/0/000", CancellationToken.None));
        await client.ListAsync("tile/", null, CancellationToken.None);
        Assert.True(await client.DeleteAsync("tile/0/000", CancellationToken.None));

        Assert.Equal(4, _server.RequestHeaders.Count);
        Assert.All(_server.RequestHeaders, headers =>
        {
            Assert.Equal(GoogleClientHeaders.UserAgent, headers["user-agent"]);
            Assert.Equal(GoogleClientHeaders.ApiClient, headers["x-goog-api-client"]);
            Assert.Equal(quotaProject, headers.GetValueOrDefault("x-goog-user-project"));
        });
    }
}
