using System.Net;
using System.Text;
using System.Text.Json;
using RekorPosix.Log.Entries;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http;

/// <summary>The REST write API through a real Kestrel on loopback, one status code at a time.</summary>
public class RestApiTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(RunningServer server, string json)
    {
        var response = await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(json));
        string text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, body, response);
    }

    [Fact]
    public async Task AValidEntry_Gets201_WithAVerifiableTransparencyLogEntry()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        var (status, tle, response) = await PostAsync(server, WriteApiRequests.NewJson());
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);

        Assert.Equal("0", tle.GetProperty("logIndex").GetString());
        var key = TestLogKey.Load();
        Assert.Equal(Convert.ToBase64String(key.LogId(TestData.TesseraOrigin)), tle.GetProperty("logId").GetProperty("keyId").GetString());
        Assert.Equal("hashedrekord", tle.GetProperty("kindVersion").GetProperty("kind").GetString());
        Assert.Equal("0.0.2", tle.GetProperty("kindVersion").GetProperty("version").GetString());
        Assert.Equal("0", tle.GetProperty("integratedTime").GetString());
        Assert.Equal(JsonValueKind.Null, tle.GetProperty("inclusionPromise").ValueKind);
        var proof = tle.GetProperty("inclusionProof");
        Assert.Equal("0", proof.GetProperty("logIndex").GetString());
        Assert.Equal(JsonValueKind.Array, proof.GetProperty("hashes").ValueKind);

        byte[] body = Convert.FromBase64String(tle.GetProperty("canonicalizedBody").GetString()!);
        string envelope = proof.GetProperty("checkpoint").GetProperty("envelope").GetString()!;
        var checkpoint = Checkpoint.Parse(SignedNote.Open(envelope, [TestLogKey.Verifier()]));
        Assert.Equal(checkpoint.Size, long.Parse(proof.GetProperty("treeSize").GetString()!));
        Assert.Equal(Convert.ToBase64String(checkpoint.RootHash), proof.GetProperty("rootHash").GetString());
        var hashes = proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();
        Assert.True(MerkleProof.VerifyInclusion(CanonicalBody.LeafHash(body), 0, checkpoint.Size, hashes, checkpoint.RootHash));
        Assert.Equal(File.ReadAllText(Path.Combine(dir.Path, "checkpoint")), envelope);
    }

    [Fact]
    public async Task ManyConcurrentEntries_AllGet201_WithDistinctIndexesAndVerifiableProofs()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => PostAsync(server, WriteApiRequests.NewJson())));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        var indexes = results.Select(r => long.Parse(r.Body.GetProperty("logIndex").GetString()!)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), indexes);
        foreach (var (_, tle, _) in results)
        {
            var proof = tle.GetProperty("inclusionProof");
            var hashes = proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();
            Assert.True(MerkleProof.VerifyInclusion(
                CanonicalBody.LeafHash(Convert.FromBase64String(tle.GetProperty("canonicalizedBody").GetString()!)),
                long.Parse(tle.GetProperty("logIndex").GetString()!), long.Parse(proof.GetProperty("treeSize").GetString()!),
                hashes, Convert.FromBase64String(proof.GetProperty("rootHash").GetString()!)));
        }
    }

    [Fact]
    public async Task ADuplicate_Gets409_WithTheOriginalIndex_AlsoAfterARestart()
    {
        using var dir = new TempDir();
        string json = WriteApiRequests.NewJson();
        string other = WriteApiRequests.NewJson();
        await using (var server = await RunningServer.StartAsync(dir.Path))
        {
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(server, other)).Status);
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(server, json)).Status);
            var (status, body, response) = await PostAsync(server, json);
            Assert.Equal(HttpStatusCode.Conflict, status);
            Assert.Equal("1", response.Headers.GetValues("X-Log-Index").Single());
            Assert.Equal(6, body.GetProperty("code").GetInt32());
            Assert.Equal("an equivalent entry already exists in the transparency log with index 1", body.GetProperty("message").GetString());
            Assert.Equal(0, body.GetProperty("details").GetArrayLength());
        }
        await using (var server = await RunningServer.StartAsync(dir.Path))
        {
            // The same entry spelled differently (proto field names) is still the same entry.
            string snake = json.Replace("hashedRekordRequestV002", "hashed_rekord_request_v002").Replace("keyDetails", "key_details");
            var (status, _, response) = await PostAsync(server, snake);
            Assert.Equal(HttpStatusCode.Conflict, status);
            Assert.Equal("1", response.Headers.GetValues("X-Log-Index").Single());
        }
    }

    [Fact]
    public async Task WithDuplicateReturnsEntry_ADuplicate_Gets200_WithItsEntryAndAFreshProof_AlsoAfterARestart()
    {
        using var dir = new TempDir();
        string json = WriteApiRequests.NewJson();
        JsonElement first;
        await using (var server = await RunningServer.StartAsync(dir.Path, s => s with { DuplicateReturnsEntry = true }))
        {
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(server, WriteApiRequests.NewJson())).Status);
            var created = await PostAsync(server, json);
            Assert.Equal(HttpStatusCode.Created, created.Status);
            Assert.False(created.Response.Headers.Contains("X-Log-Index"));
            first = created.Body;
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(server, WriteApiRequests.NewJson())).Status);

            var (status, again, response) = await PostAsync(server, json);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("1", response.Headers.GetValues("X-Log-Index").Single());
            AssertSameEntry(first, again);
            // Fresh: proven against the latest checkpoint, which now also holds the entry after it.
            Assert.Equal(3, VerifiedTreeSize(again, dir.Path));
        }
        await using (var server = await RunningServer.StartAsync(dir.Path, s => s with { DuplicateReturnsEntry = true }))
        {
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(server, WriteApiRequests.NewJson())).Status);
            var (status, again, response) = await PostAsync(server, json);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("1", response.Headers.GetValues("X-Log-Index").Single());
            AssertSameEntry(first, again);
            Assert.Equal(4, VerifiedTreeSize(again, dir.Path));
        }
    }

    [Fact]
    public async Task WithDuplicateReturnsEntry_ADedupIndexPointingAtAnotherEntry_Gets409_NotThatEntry()
    {
        using var dir = new TempDir();
        string json = WriteApiRequests.NewJson();
        await using (var server = await RunningServer.StartAsync(dir.Path))
        {
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(server, WriteApiRequests.NewJson())).Status);
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(server, json)).Status);
        }
        // Damage the dedup index: the second entry's identity now names the first entry.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dir.Path, ".state", "antispam.db")};Pooling=False"))
        {
            db.Open();
            using var update = db.CreateCommand();
            update.CommandText = "UPDATE identity SET log_index = 0 WHERE log_index = 1";
            Assert.Equal(1, update.ExecuteNonQuery());
        }
        await using (var server = await RunningServer.StartAsync(dir.Path, s => s with { DuplicateReturnsEntry = true }))
        {
            var (status, body, response) = await PostAsync(server, json);
            Assert.Equal(HttpStatusCode.Conflict, status);
            Assert.Equal("0", response.Headers.GetValues("X-Log-Index").Single());
            Assert.Equal(6, body.GetProperty("code").GetInt32());
        }
    }

    private static void AssertSameEntry(JsonElement first, JsonElement again)
    {
        foreach (string field in new[] { "logIndex", "canonicalizedBody", "integratedTime" })
            Assert.Equal(first.GetProperty(field).GetString(), again.GetProperty(field).GetString());
        Assert.Equal(first.GetProperty("logId").GetRawText(), again.GetProperty("logId").GetRawText());
        Assert.Equal(first.GetProperty("kindVersion").GetRawText(), again.GetProperty("kindVersion").GetRawText());
    }

    /// <summary>The tree size of the entry's proof, after checking its checkpoint (the one now
    /// published) and its proof from the canonical body.</summary>
    private static long VerifiedTreeSize(JsonElement tle, string storageDir)
    {
        var proof = tle.GetProperty("inclusionProof");
        string envelope = proof.GetProperty("checkpoint").GetProperty("envelope").GetString()!;
        var checkpoint = Checkpoint.Parse(SignedNote.Open(envelope, [TestLogKey.Verifier()]));
        Assert.Equal(File.ReadAllText(Path.Combine(storageDir, "checkpoint")), envelope);
        var hashes = proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();
        byte[] body = Convert.FromBase64String(tle.GetProperty("canonicalizedBody").GetString()!);
        Assert.True(MerkleProof.VerifyInclusion(CanonicalBody.LeafHash(body), long.Parse(tle.GetProperty("logIndex").GetString()!),
            checkpoint.Size, hashes, checkpoint.RootHash));
        return checkpoint.Size;
    }

    [Theory]
    [InlineData("{\"hashedRekordRequestV002\":{\"digest\":\"AAAA\"}}", "invalid hashedrekord request")]
    [InlineData("{}", "invalid type, must be hashedrekord")]
    [InlineData("", "invalid type, must be hashedrekord")]
    [InlineData("{\"dsseRequestV002\":{}}", "invalid type, must be hashedrekord")]
    public async Task InvalidRequests_Get400_WithTheFixedMessage(string json, string message)
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        var (status, body, _) = await PostAsync(server, json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(3, body.GetProperty("code").GetInt32());
        Assert.Equal(message, body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task DecodeErrors_AndOversizedBodies_Get400()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with { MaxRequestBodySize = 10_000 });
        var (status, body, _) = await PostAsync(server, "{\"foo\":1}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("unknown field \"foo\"", body.GetProperty("message").GetString());
        (status, body, _) = await PostAsync(server, "{\"hashedRekordRequestV002\":{\"digest\":\"" + new string('A', 20_000) + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("http: request body too large", body.GetProperty("message").GetString());
    }

    /// <summary>Chunked bodies Kestrel cannot decode: an overflowing size, a size that is not hex,
    /// data not followed by CRLF.</summary>
    private static readonly string[] MalformedChunks =
    [
        "FFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
        "zz\r\n{}\r\n0\r\n\r\n",
        "2\r\n{}XX0\r\n\r\n",
    ];

    public static TheoryData<string> MalformedChunkedBodies => new(MalformedChunks);

    private static string ChunkedPost(string body) =>
        "POST /api/v2/log/entries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body;

    [Theory]
    [MemberData(nameof(MalformedChunkedBodies))]
    public async Task MalformedChunkedBodies_Get400(string chunked)
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        using var connection = RawHttpConnection.Open(server.Settings.HttpPort);
        connection.Send(ChunkedPost(chunked));
        var response = connection.ReadResponse();
        Assert.Equal(400, response.Status);
        var body = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(3, body.GetProperty("code").GetInt32());
        Assert.Equal("malformed request body", body.GetProperty("message").GetString());
    }

    /// <summary>A client can send bad bodies at will: the log gets at most one short warning for
    /// them, no error and no stack trace (before, each was a 3 KB error line).</summary>
    [Fact]
    public async Task MalformedChunkedBodies_LogAtMostOneShortWarning()
    {
        using var dir = new TempDir();
        await using var server = await ServerProcess.StartAsync(dir.Path);
        var sending = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 30; i++)
        {
            using var connection = RawHttpConnection.Open(server.HttpPort);
            connection.Send(ChunkedPost(MalformedChunks[i % MalformedChunks.Length]));
            Assert.Equal(400, connection.ReadResponse().Status);
        }
        LogLines.AssertThrottledWarnings(await server.StopAsync(), sending.Elapsed, "Rejected request body: ");
    }

    /// <summary>Entries that do not validate, or bodies that do not decode, are as cheap to send
    /// as bad chunks: before, each cost a warning line (bench/hostile.sh found it).</summary>
    [Fact]
    public async Task InvalidEntriesAndUndecodableBodies_LogAtMostOneShortWarningEach()
    {
        using var dir = new TempDir();
        await using var server = await ServerProcess.StartAsync(dir.Path);
        using var client = new HttpClient();
        var sending = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 30; i++)
        {
            string body = i % 2 == 0 ? "{}" : "{\"hashedRekordRequestV002\": 7}";
            using var response = await client.PostAsync($"http://127.0.0.1:{server.HttpPort}/api/v2/log/entries",
                new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        }
        var lines = await server.StopAsync();
        LogLines.AssertThrottledWarnings(lines.Where(l => !l.Contains("Rejected request: ", StringComparison.Ordinal)).ToList(), sending.Elapsed, "Rejected entry: ");
        LogLines.AssertThrottledWarnings(lines.Where(l => !l.Contains("Rejected entry: ", StringComparison.Ordinal)).ToList(), sending.Elapsed, "Rejected request: ");
    }

    [Fact]
    public async Task AnEntryAboveTheLeafLimit_Gets500_BeforeSequencing()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        var (status, body, _) = await PostAsync(server, HugeCertificateRequest.Json());
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("failed to integrate entry", body.GetProperty("message").GetString());
        Assert.Equal(0, new RekorPosix.Log.Posix.PosixStorage(dir.Path).ReadTreeState().Size);
    }

    [Fact]
    public async Task ReadOnly_Answers405WithPlainText_AndNeverTouchesTheLog()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with { ReadOnly = true });
        var response = await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(WriteApiRequests.NewJson()));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("This log has been frozen, please switch to the latest log.\n", await response.Content.ReadAsStringAsync());
        Assert.False(File.Exists(Path.Combine(dir.Path, "checkpoint")));
        Assert.Equal("{\"status\":\"SERVING\"}\n", await server.Http.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task ReadOnly_ServesACosignedCheckpoint_ByteForByte_OnBothPorts()
    {
        using var dir = new TempDir();
        TestWitness.WriteCosignedTesseraLog(dir.Path, TestWitness.Ed25519("w.example/ed", TimeProvider.System),
            TestWitness.MlDsa44("w.example/ml", TimeProvider.System));
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with { ReadOnly = true });
        using var tiles = new HttpClient { BaseAddress = server.TilesAddress, Timeout = HangGuard.Timeout };

        byte[] stored = File.ReadAllBytes(dir["checkpoint"]);
        Assert.Equal(stored, await server.Http.GetByteArrayAsync("/api/v2/checkpoint"));
        Assert.Equal(stored, await tiles.GetByteArrayAsync("/checkpoint"));
    }

    [Theory]
    [InlineData("GET", "/api/v2/log/entries", 501, 12, "Method Not Allowed")]
    [InlineData("PUT", "/healthz", 501, 12, "Method Not Allowed")]
    [InlineData("GET", "/nope", 404, 5, "Not Found")]
    [InlineData("POST", "/api/v2/log/entries/extra", 404, 5, "Not Found")]
    // The read routes are served from storage (TileListenerTests); absent resources are the gateway's 404.
    [InlineData("GET", "/api/v2/tile/0/000", 404, 5, "Not Found")]
    [InlineData("GET", "/api/v2/tile/entries/000", 404, 5, "Not Found")]
    [InlineData("GET", "/api/v2/tile/x/000", 404, 5, "Not Found")]
    [InlineData("POST", "/api/v2/checkpoint", 501, 12, "Method Not Allowed")]
    [InlineData("PUT", "/api/v2/tile/entries/000", 501, 12, "Method Not Allowed")]
    public async Task OtherRoutes_AnswerAsTheGatewayDoes(string method, string path, int status, int code, string? message)
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        var response = await server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(status, (int)response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(code, body.GetProperty("code").GetInt32());
        if (message is not null)
            Assert.Equal(message, body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Healthz_IsServing()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        var response = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("{\"status\":\"SERVING\"}\n", await response.Content.ReadAsStringAsync());
    }
}
