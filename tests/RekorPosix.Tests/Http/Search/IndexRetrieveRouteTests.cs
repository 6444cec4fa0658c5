using System.Net;
using System.Text;
using System.Text.Json;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http.Search;

/// <summary>A log of 300 <see cref="SearchedEntries"/> served with --search-index, searched through the route.</summary>
public sealed class IndexRetrieveRouteTests(IndexRetrieveRouteTests.SearchedServer server) : IClassFixture<IndexRetrieveRouteTests.SearchedServer>
{
    public const int Size = 300;

    /// <summary>One server for the class: the follower indexes the log once.</summary>
    public sealed class SearchedServer : IAsyncLifetime
    {
        private readonly GrowingTestLog _log = new GrowingTestLog().Append(SearchedEntries.Range(0, Size)).Publish();

        public RunningServer Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Server = await RunningServer.StartAsync(_log.Dir, s => s with { SearchIndex = true });
            await Eventually.True(() => IndexedSize(Server).Result == Size, "the search index covers the log");
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            _log.Dispose();
        }
    }

    private HttpClient Http => server.Server.Http;

    public static async Task<long> IndexedSize(RunningServer server)
    {
        using var response = await server.Http.GetAsync($"/api/v2/index/retrieve?hash=sha256:{SearchedEntries.Sha256Hex(0)}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return long.Parse(json.RootElement.GetProperty("indexedSize").GetString()!);
    }

    private async Task<JsonElement> Post(object request)
    {
        using var response = await Http.PostAsync("/api/v2/index/retrieve", new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string[] Indexes(JsonElement answer) => answer.GetProperty("logIndexes").EnumerateArray().Select(e => e.GetString()!).ToArray();

    /// <summary>All pages of a search, following nextPageToken.</summary>
    private async Task<string[]> All(Dictionary<string, object> request, int pageSize = 1000)
    {
        var all = new List<string>();
        request["pageSize"] = pageSize;
        while (true)
        {
            var answer = await Post(request);
            all.AddRange(Indexes(answer));
            if (!answer.TryGetProperty("nextPageToken", out var token))
                return [.. all];
            request["pageToken"] = token.GetString()!;
        }
    }

    private static string KeyContent(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    [Fact]
    public async Task EachKeyType_FindsItsEntries()
    {
        Assert.Equal(["1", "200"], await All(new() { ["hash"] = $"sha256:{SearchedEntries.Sha256Hex(1)}" }));
        Assert.Equal(["3"], await All(new() { ["hash"] = $"SHA256:{SearchedEntries.Sha256Hex(3).ToUpperInvariant()}" }));
        Assert.Equal(SearchedEntries.Expected(Size, t => t.Contains("key:A")),
            await All(new() { ["publicKey"] = new { format = "x509", content = KeyContent(SearchedEntries.Pem(SearchedEntries.KeyA)) } }));
        // A certificate finds the entries of its key.
        Assert.Equal(SearchedEntries.Expected(Size, t => t.Contains("key:alice")),
            await All(new() { ["publicKey"] = new { format = "x509", content = Convert.ToBase64String(SearchedEntries.Alice) } }));
        Assert.Equal(SearchedEntries.Expected(Size, t => t.Contains("email")), await All(new() { ["email"] = "alice@example.com" }));
        Assert.Equal(SearchedEntries.Expected(Size, t => t.Contains("uri")), await All(new() { ["uri"] = SearchedEntries.BuilderUri }));
        Assert.Equal(SearchedEntries.Expected(Size, t => t.Contains("issuer:builder")), await All(new() { ["oidcIssuer"] = SearchedEntries.BuilderIssuer }));
        Assert.Empty(await All(new() { ["email"] = "mallory@example.com" }));
    }

    [Fact]
    public async Task AndOr_CombineCriteria()
    {
        var both = new Dictionary<string, object> { ["email"] = "alice@example.com", ["uri"] = SearchedEntries.BuilderUri, ["operator"] = "and" };
        Assert.Equal(["3"], await All(both));
        var either = new Dictionary<string, object> { ["email"] = "alice@example.com", ["uri"] = SearchedEntries.BuilderUri, ["operator"] = "or" };
        Assert.Equal(SearchedEntries.Expected(Size, t => t.Contains("email") || t.Contains("uri")), await All(either));
        var defaultOr = new Dictionary<string, object> { ["hash"] = $"sha256:{SearchedEntries.Sha256Hex(5)}", ["email"] = "alice@example.com" };
        Assert.Equal(SearchedEntries.Expected(Size, t => t.Contains("email") || t.Contains("digest:5")), await All(defaultOr));
    }

    [Fact]
    public async Task Pages_CoverEveryMatchOnce_InOrder_WithNoTokenOnTheLastPage()
    {
        var expected = SearchedEntries.Expected(Size, t => t.Contains("key:A"));
        Assert.True(expected.Length > 30);
        Assert.Equal(expected, await All(new() { ["publicKey"] = new { format = "x509", content = KeyContent(SearchedEntries.Pem(SearchedEntries.KeyA)) } }, pageSize: 7));
        // A last page that is exactly full has no token.
        var answer = await Post(new Dictionary<string, object> { ["hash"] = $"sha256:{SearchedEntries.Sha256Hex(1)}", ["pageSize"] = 2 });
        Assert.Equal(["1", "200"], Indexes(answer));
        Assert.False(answer.TryGetProperty("nextPageToken", out _));
        Assert.Equal($"{Size}", answer.GetProperty("treeSize").GetString());
        Assert.Equal($"{Size}", answer.GetProperty("indexedSize").GetString());
    }

    [Fact]
    public async Task TheGetForm_TakesTheFieldsAsQueryParameters()
    {
        string url = $"/api/v2/index/retrieve?email=alice%40example.com&uri={Uri.EscapeDataString(SearchedEntries.BuilderUri)}&operator=and";
        using var response = await Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"logIndexes\":[\"3\"],\"indexedSize\":\"300\",\"treeSize\":\"300\"}\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheLeafHashLookup_FindsAnEntryByItsRfc6962LeafHash()
    {
        // Through the route's own index: the proofs route will ask the same.
        var leaf = RekorPosix.Tiles.Rfc6962.LeafHash(SearchedEntries.At(42));
        await using var search = RekorPosix.Log.Search.SearchIndex.ReadOnly(
            RekorPosix.Log.Search.PersistentSearchIndex.OpenExisting(Path.Combine(server.Server.StorageDir, ".state", "search.db"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        Assert.Equal(42, await search.FindLeafAsync(leaf, CancellationToken.None));
        Assert.Equal(4, await search.FindLeafAsync(RekorPosix.Tiles.Rfc6962.LeafHash(SearchedEntries.NotAnEntry), CancellationToken.None));
        Assert.Null(await search.FindLeafAsync(new byte[32], CancellationToken.None));
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "{\"hash\":\"md5:00\"}", "hash: unknown hash algorithm \"md5\"" },
        { "{\"hash\":\"sha256:abcd\"}", "hash: sha256 needs 64 hex digits, not 4" },
        { "{\"hash\":\"sha256:" + new string('z', 64) + "\"}", "hash: the sha256 digest is not hex" },
        { "{\"publicKey\":{\"format\":\"x509\",\"content\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("hello")) + "\"}}", "publicKey.content: not a PEM or DER public key" },
        { "{\"publicKey\":{\"format\":\"x509\",\"content\":\"%%%\"}}", "publicKey.content is not base64" },
        { "{\"publicKey\":{\"format\":\"pgp\",\"content\":\"AA==\"}}", "publicKey.format \"pgp\" is not supported" },
        { "{\"email\":\"a@b\",\"operator\":\"xor\"}", "operator \"xor\" is neither \"and\" nor \"or\"" },
        { "{}", "no search criteria" },
        { "{\"operator\":\"and\"}", "no search criteria" },
        { "{\"email\":\"a@b\",\"pageSize\":0}", "pageSize \"0\" is not a whole number from 1 to 1000" },
        { "{\"email\":\"a@b\",\"pageSize\":1001}", "pageSize \"1001\" is not a whole number from 1 to 1000" },
        { "{\"email\":\"a@b\",\"pageToken\":\"x\"}", "pageToken \"x\" is not a token this server gave" },
        { "{\"email\":\"a@b\",\"colour\":\"red\"}", "unknown field \"colour\"" },
        { "{\"email\":\"nobody\"}", "email: \"nobody\" is not an email address" },
        { "{\"uri\":\"not a uri\"}", "uri: \"not a uri\" is not an absolute URI" },
        { "{\"email\":\"a@b\",\"email\":\"c@d\"}", "email is given twice" },
        { "{\"email\":", "the body is not JSON" },
        { "[1]", "the body is not a JSON object" },
        { "{\"email\":5}", "email is not a string" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInput_Gets400_NamingTheField(string body, string message)
    {
        using var response = await Http.PostAsync("/api/v2/index/retrieve", new StringContent(body, Encoding.UTF8, "application/json"));
        string answer = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, JsonDocument.Parse(answer).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ABodyTooLarge_Gets400()
    {
        string body = "{\"email\":\"" + new string('a', (int)server.Server.Settings.MaxRequestBodySize) + "@b\"}";
        using var response = await Http.PostAsync("/api/v2/index/retrieve", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("request body too large", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task BadQueryParameters_Get400()
    {
        using var response = await Http.GetAsync("/api/v2/index/retrieve?hash=sha1:00&hash=sha256:00");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"hash\" is given 2 times", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
        using var unknown = await Http.GetAsync("/api/v2/index/retrieve?who=alice");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("unknown field \"who\"", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task WithoutTheFlag_TheRouteIs404_SayingSo()
    {
        using var log = new GrowingTestLog().Append(SearchedEntries.Range(0, 3)).Publish();
        await using var plain = await RunningServer.StartAsync(log.Dir);
        using var response = await plain.Http.GetAsync($"/api/v2/index/retrieve?hash=sha256:{SearchedEntries.Sha256Hex(0)}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("keeps no search index", await response.Content.ReadAsStringAsync());
        Assert.False(File.Exists(Path.Combine(log.Dir, ".state", "search.db")));
    }
}
