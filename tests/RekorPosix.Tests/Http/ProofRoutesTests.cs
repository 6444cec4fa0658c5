using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tests.Tiles;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http;

/// <summary>
/// The proof routes through a real server: every proof is checked by the tests' own RFC 9162
/// verifier and compared with the RFC's literal proof over the leaves the 201 answers gave, and
/// its checkpoint is opened with the log's key.
/// </summary>
public class ProofRoutesTests(ThreeEntryServer shared) : IClassFixture<ThreeEntryServer>
{
    /// <summary>A server over <paramref name="dir"/> with checkpoint history on.</summary>
    internal static Task<RunningServer> StartAsync(string dir, bool history = true, bool readOnly = false) =>
        RunningServer.StartAsync(dir, s => s with { CheckpointHistory = history, ReadOnly = readOnly });

    /// <summary>Entries added one after the other, so that a checkpoint is published at each size:
    /// their leaf hashes in index order, and the sizes the 201 answers were proven against.</summary>
    internal static async Task<(List<byte[]> Leaves, List<long> Sizes)> AddOneByOneAsync(RunningServer server, int count, List<byte[]>? leaves = null)
    {
        leaves ??= [];
        var sizes = new List<long>();
        for (int i = 0; i < count; i++)
        {
            var response = await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(WriteApiRequests.NewJson()));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var tle = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(leaves.Count, long.Parse(tle.GetProperty("logIndex").GetString()!));
            leaves.Add(Rfc9162Verifier.LeafHash(Convert.FromBase64String(tle.GetProperty("canonicalizedBody").GetString()!)));
            sizes.Add(long.Parse(tle.GetProperty("inclusionProof").GetProperty("treeSize").GetString()!));
        }
        return (leaves, sizes);
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(RunningServer server, string url)
    {
        var response = await server.Http.GetAsync(url);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    private static List<byte[]> Hashes(JsonElement proof) =>
        proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();

    /// <summary>A checkpoint of an answer, opened with the log's key.</summary>
    private static Checkpoint CheckpointOf(JsonElement body, string property = "checkpoint") =>
        Checkpoint.Parse(SignedNote.Open(body.GetProperty(property).GetProperty("envelope").GetString()!, [TestLogKey.Verifier()]));

    /// <summary>The answer's root, after checking that its checkpoint is of its tree size and root.</summary>
    private static byte[] CheckedRoot(JsonElement body, long size)
    {
        var checkpoint = CheckpointOf(body);
        Assert.Equal(size.ToString(), body.GetProperty("treeSize").GetString());
        Assert.Equal(size, checkpoint.Size);
        byte[] root = Convert.FromBase64String(body.GetProperty("rootHash").GetString()!);
        Assert.Equal(checkpoint.RootHash, root);
        return root;
    }

    /// <summary>An inclusion answer is the RFC's proof for the leaf in the tree of its checkpoint.</summary>
    internal static void AssertInclusion(JsonElement body, long index, long size, IReadOnlyList<byte[]> leaves)
    {
        var naive = new NaiveMerkle(leaves);
        Assert.Equal(index.ToString(), body.GetProperty("logIndex").GetString());
        byte[] root = CheckedRoot(body, size);
        Assert.Equal(naive.Root((int)size), root);
        var hashes = Hashes(body);
        Assert.True(Rfc9162Verifier.VerifyInclusion(index, size, leaves[(int)index], hashes, root), $"the proof of {index} in {size} does not verify");
        Assert.Equal(naive.Inclusion((int)index, (int)size), hashes);
    }

    /// <summary>A consistency answer is the RFC's proof from the first size to the checkpoint's tree.</summary>
    internal static void AssertConsistency(JsonElement body, long first, long second, IReadOnlyList<byte[]> leaves)
    {
        var naive = new NaiveMerkle(leaves);
        Assert.Equal(first.ToString(), body.GetProperty("firstSize").GetString());
        byte[] root = CheckedRoot(body, second);
        var hashes = Hashes(body);
        Assert.True(Rfc9162Verifier.VerifyConsistency(first, second, naive.Root((int)first), root, hashes), $"{first} to {second} does not verify");
        Assert.Equal(naive.Consistency((int)first, (int)second), hashes);
    }

    [Fact]
    public async Task InclusionProofs_AgainstTheLatestAndAKeptOlderCheckpoint_AreTheRfcProofs()
    {
        using var dir = new TempDir();
        await using var server = await StartAsync(dir.Path);
        var (leaves, sizes) = await AddOneByOneAsync(server, 9);
        long latest = sizes[^1];
        long older = sizes[4];

        for (long index = 0; index < latest; index++)
        {
            var (status, body) = await GetJsonAsync(server, $"/api/v2/proof/inclusion?index={index}");
            Assert.Equal(HttpStatusCode.OK, status);
            AssertInclusion(body, index, latest, leaves);
        }
        var (olderStatus, olderBody) = await GetJsonAsync(server, $"/api/v2/proof/inclusion?index=2&tree_size={older}");
        Assert.Equal(HttpStatusCode.OK, olderStatus);
        AssertInclusion(olderBody, 2, older, leaves);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir.Path, CheckpointHistoryPath.For(older))),
            olderBody.GetProperty("checkpoint").GetProperty("envelope").GetString());
    }

    [Fact]
    public async Task AnInclusionAnswer_HasTheShapeOfAnInclusionProofMessage()
    {
        using var dir = new TempDir();
        await using var server = await StartAsync(dir.Path);
        await AddOneByOneAsync(server, 3);
        var response = await server.Http.GetAsync("/api/v2/proof/inclusion?index=1");

        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["logIndex", "rootHash", "treeSize", "hashes", "checkpoint"], body.EnumerateObject().Select(p => p.Name));
        var parsed = Google.Protobuf.JsonParser.Default.Parse<Protos.RekorV1.InclusionProof>(body.GetRawText());
        Assert.Equal(1, parsed.LogIndex);
        Assert.Equal(3, parsed.TreeSize);
    }

    [Fact]
    public async Task ConsistencyProofs_FromAnOldBundlesSize_ToTodayAndToAKeptSize_AreTheRfcProofs()
    {
        using var dir = new TempDir();
        await using var server = await StartAsync(dir.Path);
        var (leaves, sizes) = await AddOneByOneAsync(server, 9);
        long latest = sizes[^1];

        foreach (long first in sizes.Prepend(0))
        {
            var (status, body) = await GetJsonAsync(server, $"/api/v2/proof/consistency?first={first}");
            Assert.Equal(HttpStatusCode.OK, status);
            AssertConsistency(body, first, latest, leaves);
            // The old bundle's checkpoint is kept: it comes back, and its root is the old tree's.
            var kept = CheckpointOf(body, "firstCheckpoint");
            Assert.Equal(first, kept.Size);
            Assert.Equal(new NaiveMerkle(leaves).Root((int)first), kept.RootHash);
        }
        var (toKept, keptBody) = await GetJsonAsync(server, $"/api/v2/proof/consistency?first={sizes[1]}&second={sizes[6]}");
        Assert.Equal(HttpStatusCode.OK, toKept);
        AssertConsistency(keptBody, sizes[1], sizes[6], leaves);
    }

    [Fact]
    public async Task WithoutHistory_TheLatestIsProven_AndAnOlderSizeIsNotKept()
    {
        using var dir = new TempDir();
        await using var server = await StartAsync(dir.Path, history: false);
        var (leaves, sizes) = await AddOneByOneAsync(server, 4);

        var (status, body) = await GetJsonAsync(server, "/api/v2/proof/consistency?first=2");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertConsistency(body, 2, sizes[^1], leaves);
        Assert.False(body.TryGetProperty("firstCheckpoint", out _), "no checkpoint is kept without history");

        var (notKept, error) = await GetJsonAsync(server, "/api/v2/proof/inclusion?index=0&tree_size=2");
        Assert.Equal(HttpStatusCode.NotFound, notKept);
        Assert.Equal("no checkpoint of size 2 is kept (start the server with --checkpoint-history)", error.GetProperty("message").GetString());
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "checkpoints")));
    }

    [Fact]
    public async Task AnOldSizesPartialTile_GoneWhileItsTileIsNotFull_IsCutFromTheWiderOne()
    {
        using var dir = new TempDir();
        await using var server = await StartAsync(dir.Path);
        var (leaves, sizes) = await AddOneByOneAsync(server, 5);
        Assert.Equal(5, sizes[^1]);
        await AddOneByOneAsync(server, 6, leaves);
        string partial = Path.Combine(dir.Path, "tile/0/000.p/5");
        Assert.True(File.Exists(partial), "the batch that ended at size 5 wrote no partial tile");
        File.Delete(partial);
        Assert.False(File.Exists(Path.Combine(dir.Path, "tile/0/000")), "the tile is full: the reader's own fallback would do");

        var (status, body) = await GetJsonAsync(server, "/api/v2/proof/inclusion?index=3&tree_size=5");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertInclusion(body, 3, 5, leaves);
        var (toToday, consistency) = await GetJsonAsync(server, "/api/v2/proof/consistency?first=5");
        Assert.Equal(HttpStatusCode.OK, toToday);
        AssertConsistency(consistency, 5, 11, leaves);
    }

    [Fact]
    public async Task ReadOnly_AnswersProofsAndHistory_FromTheDirectory()
    {
        using var dir = new TempDir();
        List<byte[]> leaves;
        List<long> sizes;
        await using (var writer = await StartAsync(dir.Path))
            (leaves, sizes) = await AddOneByOneAsync(writer, 6);
        await using var server = await StartAsync(dir.Path, readOnly: true);
        long latest = PublishedSize(dir.Path);

        var (status, body) = await GetJsonAsync(server, "/api/v2/proof/inclusion?index=4");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertInclusion(body, 4, latest, leaves);
        var (olderStatus, older) = await GetJsonAsync(server, $"/api/v2/proof/inclusion?index=1&tree_size={sizes[2]}");
        Assert.Equal(HttpStatusCode.OK, olderStatus);
        AssertInclusion(older, 1, sizes[2], leaves);
        var (consistencyStatus, consistency) = await GetJsonAsync(server, $"/api/v2/proof/consistency?first={sizes[0]}");
        Assert.Equal(HttpStatusCode.OK, consistencyStatus);
        AssertConsistency(consistency, sizes[0], latest, leaves);
    }

    private static long PublishedSize(string dir) =>
        Checkpoint.Parse(SignedNote.Parse(File.ReadAllBytes(Path.Combine(dir, "checkpoint"))).Text).Size;

    [Fact]
    public async Task Head_AnswersLikeGet_WithoutABody()
    {
        using var dir = new TempDir();
        await using var server = await StartAsync(dir.Path);
        await AddOneByOneAsync(server, 2);
        var get = await server.Http.GetAsync("/api/v2/proof/consistency?first=1");
        var head = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v2/proof/consistency?first=1"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    public static TheoryData<string, HttpStatusCode, string> BadRequests() => new()
    {
        { "/api/v2/proof/inclusion", HttpStatusCode.BadRequest, "give either index or leaf_hash (exactly one)" },
        { "/api/v2/proof/inclusion?index=1&leaf_hash=" + new string('0', 64), HttpStatusCode.BadRequest, "give either index or leaf_hash (exactly one)" },
        { "/api/v2/proof/inclusion?index=abc", HttpStatusCode.BadRequest, "index is not a number: \"abc\"" },
        { "/api/v2/proof/inclusion?index=", HttpStatusCode.BadRequest, "index is empty" },
        { "/api/v2/proof/inclusion?index=-1", HttpStatusCode.BadRequest, "index must not be negative" },
        { "/api/v2/proof/inclusion?index=%2B1", HttpStatusCode.BadRequest, "index is not a number: \"+1\"" },
        { "/api/v2/proof/inclusion?index=99999999999999999999", HttpStatusCode.BadRequest, "index is not a number: \"99999999999999999999\"" },
        { "/api/v2/proof/inclusion?index=1&index=2", HttpStatusCode.BadRequest, "index is given more than once" },
        { "/api/v2/proof/inclusion?index=1&size=2", HttpStatusCode.BadRequest, "unknown parameter \"size\" (allowed: index, leaf_hash, tree_size)" },
        { "/api/v2/proof/inclusion?index=1&" + new string('q', 200) + "=1", HttpStatusCode.BadRequest, "unknown parameter \"" + new string('q', 24) + "…\" (allowed: index, leaf_hash, tree_size)" },
        { "/api/v2/proof/inclusion?index=" + new string('1', 300), HttpStatusCode.BadRequest, "the query is longer than 256 characters" },
        { "/api/v2/proof/inclusion?index=3", HttpStatusCode.NotFound, "index 3 is beyond the checkpoint of size 3" },
        { "/api/v2/proof/inclusion?index=0&tree_size=4", HttpStatusCode.BadRequest, "tree_size 4 is beyond the latest checkpoint (size 3)" },
        { "/api/v2/proof/inclusion?index=1&tree_size=1", HttpStatusCode.NotFound, "index 1 is beyond the checkpoint of size 1" },
        { "/api/v2/proof/inclusion?leaf_hash=xyz", HttpStatusCode.BadRequest, "leaf_hash must be 64 hex digits (a SHA-256 leaf hash), not \"xyz\"" },
        { "/api/v2/proof/inclusion?leaf_hash=" + new string('a', 64), HttpStatusCode.NotFound, "lookup by leaf hash needs the search index (--search-index)" },
        { "/api/v2/proof/consistency", HttpStatusCode.BadRequest, "first is missing" },
        { "/api/v2/proof/consistency?second=2", HttpStatusCode.BadRequest, "first is missing" },
        { "/api/v2/proof/consistency?first=x1", HttpStatusCode.BadRequest, "first is not a number: \"x1\"" },
        { "/api/v2/proof/consistency?first=-2", HttpStatusCode.BadRequest, "first must not be negative" },
        { "/api/v2/proof/consistency?first=3&second=2", HttpStatusCode.BadRequest, "first (3) is larger than second (2)" },
        { "/api/v2/proof/consistency?first=4", HttpStatusCode.BadRequest, "first 4 is beyond the latest checkpoint (size 3)" },
        { "/api/v2/proof/consistency?first=1&second=9", HttpStatusCode.BadRequest, "second 9 is beyond the latest checkpoint (size 3)" },
        { "/api/v2/proof/consistency?first=1&tree_size=2", HttpStatusCode.BadRequest, "unknown parameter \"tree_size\" (allowed: first, second)" },
        { "/api/v2/checkpoints/abc", HttpStatusCode.BadRequest, "the size must be a decimal number without sign or leading zeros" },
        { "/api/v2/checkpoints/01", HttpStatusCode.BadRequest, "the size must be a decimal number without sign or leading zeros" },
        { "/api/v2/checkpoints/-1", HttpStatusCode.BadRequest, "the size must be a decimal number without sign or leading zeros" },
        { "/api/v2/checkpoints/", HttpStatusCode.BadRequest, "the size must be a decimal number without sign or leading zeros" },
        { "/api/v2/checkpoints/99999999999999999999", HttpStatusCode.BadRequest, "the size must be a decimal number without sign or leading zeros" },
        { "/api/v2/checkpoints/1?x=1", HttpStatusCode.BadRequest, "this route takes no query" },
        { "/api/v2/checkpoints/4", HttpStatusCode.NotFound, "no checkpoint of size 4 is published (the latest is of size 3)" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInput_GetsA4xx_WithAMessageNamingIt(string url, HttpStatusCode expected, string message)
    {
        var server = shared.Server;
        var (status, body) = await GetJsonAsync(server, url);
        Assert.Equal(expected, status);
        Assert.Equal(message, body.GetProperty("message").GetString());
        Assert.Equal(expected == HttpStatusCode.NotFound ? 5 : 3, body.GetProperty("code").GetInt32());
    }

    /// <summary>A search index stand-in that answers one index for every leaf hash.</summary>
    private sealed class FixedLookup(long? index) : ILeafHashLookup
    {
        public ValueTask<long?> FindLeafAsync(ReadOnlyMemory<byte> leafHash, CancellationToken cancel) => new(index);
    }

    /// <summary>GET of the inclusion route by leaf hash, over the shared server's directory with a lookup.</summary>
    private async Task<(int Status, JsonElement Body)> ByLeafHashAsync(ILeafHashLookup lookup, byte[] leafHash)
    {
        string dir = shared.Server.StorageDir;
        var published = new CheckpointFile(Path.Combine(dir, "checkpoint"), TimeSpan.Zero);
        var proofs = new ServedProofs(new TreeProofs(new PosixReader(new StatePaths(dir)), NullLogger.Instance), _ => new(published.Current()),
            new CheckpointHistoryFiles(dir)) { Leaves = lookup };
        string target = $"{ProofRoutes.InclusionPath}?leaf_hash={Convert.ToHexStringLower(leafHash)}";
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = ProofRoutes.InclusionPath;
        context.Request.QueryString = new QueryString(target[ProofRoutes.InclusionPath.Length..]);
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        context.Response.Body = new MemoryStream();
        await new RestApi(null!, files: null, 1 << 20, NullLogger.Instance, proofs: proofs).HandleAsync(context);
        return (context.Response.StatusCode, JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray()).RootElement.Clone());
    }

    [Fact]
    public async Task ByLeafHash_TheIndexTheLookupGives_IsProven()
    {
        var (status, body) = await ByLeafHashAsync(new FixedLookup(1), shared.Leaves[1]);
        Assert.Equal(200, status);
        AssertInclusion(body, 1, 3, shared.Leaves);
    }

    [Fact]
    public async Task ByLeafHash_AnIndexHoldingAnotherLeaf_IsNoProof()
    {
        var (status, body) = await ByLeafHashAsync(new FixedLookup(2), shared.Leaves[1]);
        Assert.Equal(500, status);
        Assert.Equal("cannot build the proof from the log's tiles", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ByLeafHash_AnUnknownLeaf_Is404()
    {
        var (status, body) = await ByLeafHashAsync(new FixedLookup(null), new byte[32]);
        Assert.Equal(404, status);
        Assert.Equal($"no entry with leaf hash {new string('0', 64)} is known", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ByLeafHash_OnAServerWithTheSearchIndex_FindsAndProvesTheEntry()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with { SearchIndex = true });
        var (leaves, _) = await AddOneByOneAsync(server, 5);
        await Eventually.True(() => IndexedSizeAsync(server).Result == 5, "the search index covers the log");

        var (status, body) = await GetJsonAsync(server, $"{ProofRoutes.InclusionPath}?leaf_hash={Convert.ToHexStringLower(leaves[3])}");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertInclusion(body, 3, 5, leaves);
        (status, body) = await GetJsonAsync(server, $"{ProofRoutes.InclusionPath}?leaf_hash={new string('e', 64)}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal($"no entry with leaf hash {new string('e', 64)} is known", body.GetProperty("message").GetString());
    }

    /// <summary>How far the search index has got, as its route says.</summary>
    private static async Task<long> IndexedSizeAsync(RunningServer server)
    {
        var (_, answer) = await GetJsonAsync(server, $"/api/v2/index/retrieve?hash=sha256:{new string('0', 64)}");
        return long.Parse(answer.GetProperty("indexedSize").GetString()!);
    }

    [Theory]
    [InlineData("POST", "/api/v2/proof/inclusion?index=0")]
    [InlineData("PUT", "/api/v2/proof/consistency?first=1")]
    [InlineData("DELETE", "/api/v2/checkpoints/1")]
    public async Task OtherMethods_GetTheSame501AsOtherRoutes(string method, string url)
    {
        var server = shared.Server;
        var response = await server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        var other = await server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/healthz"));

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal(await other.Content.ReadAsStringAsync(), await response.Content.ReadAsStringAsync());
    }
}

/// <summary>One server of 3 entries (a checkpoint at each size, kept) for the many bad requests of
/// <see cref="ProofRoutesTests"/>; they change nothing, so sharing it is safe.</summary>
public sealed class ThreeEntryServer : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    public RunningServer Server { get; private set; } = null!;

    /// <summary>The leaf hashes of its entries, in index order.</summary>
    public List<byte[]> Leaves { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Server = await ProofRoutesTests.StartAsync(_dir.Path);
        (Leaves, _) = await ProofRoutesTests.AddOneByOneAsync(Server, 3);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
