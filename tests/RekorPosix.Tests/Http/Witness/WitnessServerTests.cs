using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http.Witness;
using RekorPosix.Log;
using RekorPosix.Log.Witnessing;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http.Witness;

/// <summary>The witness over real HTTP: Kestrel on a free loopback port, in this process.</summary>
public sealed class WitnessServerTests : IAsyncLifetime
{
    private static readonly string Key = WitnessStateStore.KeyOf(WitnessedTestLog.Origin);
    private readonly TempDir _dir = new();
    private readonly WitnessedTestLog _log = new();
    private readonly Cosigner _cosigner = WitnessedTestLog.NewCosigner();
    private readonly CapturingLogger _lines = new();
    private readonly HttpClient _client = new();
    private WitnessServer? _server;
    private int _port;

    public async Task InitializeAsync()
    {
        var witness = new CosigningWitness(WitnessedTestLog.Logs, _cosigner, new WitnessStateStore(_dir.Path));
        for (int attempt = 0; ; attempt++)
        {
            _port = FreePorts.Take(1)[0];
            try
            {
                _server = await WitnessServer.StartAsync(witness, new ListenAddress("127.0.0.1", _port), "info", CancellationToken.None,
                    logging => logging.AddProvider(new OneLogger(_lines)));
                break;
            }
            catch (IOException) when (attempt < 5)
            {
                // Someone took the port between choosing and binding: choose again.
            }
        }
        _client.BaseAddress = new Uri($"http://127.0.0.1:{_port}");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<(HttpStatusCode Status, string? Type, string Body)> PostAsync(byte[] body, string path = "/add-checkpoint")
    {
        using var response = await _client.PostAsync(path, new ByteArrayContent(body));
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AddCheckpoint_Cosigns_WithTheLineAsThePlainTextBody()
    {
        var (status, type, body) = await PostAsync(_log.Request(0, 5));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/plain; charset=utf-8", type);
        var verifier = WitnessKey.Parse(_cosigner.VerifierKey).CreateVerifier();
        Assert.Equal(_log.Text(5), SignedNote.Open(_log.Note(5) + body, [verifier]));
    }

    [Fact]
    public async Task AddCheckpoint_FromAnotherOldSize_Is409_WithTheSizeType()
    {
        await PostAsync(_log.Request(0, 5));
        var (status, type, body) = await PostAsync(_log.Request(0, 7));
        Assert.Equal((HttpStatusCode.Conflict, "text/x.tlog.size", "5\n"), (status, type, body));
        Assert.Equal(5, AddCheckpointRequest.ParseSize(body));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_log.Request(5, 7))).Status);
    }

    [Fact]
    public async Task AddCheckpoint_OfAFork_Is409_AsPlainText()
    {
        await PostAsync(_log.Request(0, 5));
        var (status, type, _) = await PostAsync(new WitnessedTestLog("fork ").Request(5, 5));
        Assert.Equal((HttpStatusCode.Conflict, "text/plain; charset=utf-8"), (status, type));
    }

    [Fact]
    public async Task AddCheckpoint_Refusals_HaveTheSpecsStatuses_AndAreLogged()
    {
        using var other = LogSigningKey.GenerateEd25519();
        string unknownLog = SignedNote.Sign("other.example/log\n1\n" + Convert.ToBase64String(_log.Root(1)) + "\n", [other.CreateNoteSigner("other.example/log")]);
        var wrongProof = _log.Proof(0, 0).Append(new byte[32]).ToList();
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("hello"u8.ToArray())).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(_log.Request(0, 1, note: unknownLog))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(_log.Request(0, 5, note: AddCheckpointEvaluationTests.Forged(_log.Note(5))))).Status);
        Assert.Equal((HttpStatusCode)422, (await PostAsync(_log.Request(0, 5, wrongProof))).Status);
        Assert.Contains(_lines.Lines, l => l is { EventId: 715, Level: LogLevel.Information } && l.Message.Contains("(unparsed): 400"));
        Assert.Contains(_lines.Lines, l => l.EventId == 715 && l.Message.Contains("other.example/log: 404"));
        Assert.Contains(_lines.Lines, l => l is { EventId: 716, Level: LogLevel.Warning } && l.Message.Contains($"{WitnessedTestLog.Origin}: 403 invalid signature"));
        Assert.Contains(_lines.Lines, l => l.EventId == 716 && l.Message.Contains(": 422 a consistency proof from size 0 must be empty"));
    }

    [Fact]
    public async Task AddCheckpoint_WithABodyOverTheLimit_Is413()
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync(new byte[WitnessApi.MaxBodySize + 1])).Status);
    }

    [Fact]
    public async Task Monitoring_ServesTheLatestCosignedCheckpoint_With404UntilThere()
    {
        string path = $"/{Key}/checkpoint";
        using (var none = await _client.GetAsync(path))
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        await PostAsync(_log.Request(0, 5));
        string line = (await PostAsync(_log.Request(5, 9))).Body;

        using var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(_log.Note(9) + line, await response.Content.ReadAsStringAsync());
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var upper = await _client.GetAsync($"/{Key.ToUpperInvariant()}/checkpoint");
        Assert.Equal(HttpStatusCode.NotFound, upper.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/add-checkpoint", "POST")]
    [InlineData("PUT", "/add-checkpoint", "POST")]
    [InlineData("POST", "/{key}/checkpoint", "GET, HEAD")]
    [InlineData("DELETE", "/{key}/checkpoint", "GET, HEAD")]
    public async Task AnotherMethod_Is405_NamingTheAllowedOnes(string method, string path, string allow)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{key}", Key)));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/add-checkpoint/")]
    [InlineData("/sign-subtree")]
    [InlineData("/abc/checkpoint")]
    public async Task AnotherPath_Is404(string path)
    {
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync([], path)).Status);
    }

    [Fact]
    public void TwoRequests_ShareOneKeptAliveConnection()
    {
        using var connection = RawHttpConnection.Open(_port);
        byte[] body = _log.Request(0, 3);
        for (int i = 0; i < 2; i++)
        {
            connection.Send([.. Encoding.ASCII.GetBytes($"POST /add-checkpoint HTTP/1.1\r\nHost: test\r\nContent-Length: {body.Length}\r\n\r\n"), .. body]);
            var response = connection.ReadResponse();
            Assert.Equal(i == 0 ? 200 : 409, response.Status);
            Assert.Null(response.Header("connection"));
        }
    }

    [Fact]
    public async Task TheLogsOwnWitnessingClient_GetsOurCosignature_AsTheLogGrows_AndAfterItForgetsOurSize()
    {
        await using var driver = new MemoryDriver(new MemoryStore());
        await driver.OpenAsync(CancellationToken.None);
        string policy = $"witness w1 {_cosigner.VerifierKey} http://127.0.0.1:{_port}\nquorum w1\n";
        // Fail-closed: a checkpoint without our cosignature throws instead of being published.
        using var witnesses = new CheckpointWitnesses(WitnessPolicy.Parse(policy),
            new WitnessingOptions { FailClosed = true, Timeout = HangGuard.Timeout }, NullLogger.Instance);
        var verifier = WitnessKey.Parse(_cosigner.VerifierKey).CreateVerifier();
        var sizes = new MemoryWitnessSizes();
        foreach (int entries in new[] { 3, 300, 1 })
        {
            await driver.SequenceAsync([.. Enumerable.Range(0, entries).Select(_ => (ReadOnlyMemory<byte>)Guid.NewGuid().ToByteArray())], CancellationToken.None);
            var head = await driver.IntegrateAsync(CancellationToken.None);
            // The last round starts from sizes it does not know: our 409 teaches it.
            var make = witnesses.Around(TestLogKey.Signer().Maker(), driver.Reader, entries == 1 ? new MemoryWitnessSizes() : sizes);
            string note = Encoding.UTF8.GetString(await make(head, null, CancellationToken.None));
            Assert.Equal(SignedNote.Parse(note).Text, SignedNote.Open(note, [verifier]));
        }
        Assert.Equal(304, CosignedCheckpoint.Parse(await _client.GetStringAsync($"/{Key}/checkpoint")).Checkpoint.Size);
    }

    private sealed class OneLogger(CapturingLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}
