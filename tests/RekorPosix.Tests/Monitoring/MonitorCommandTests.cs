using System.Text.Json;
using RekorPosix.Commands;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Monitoring;

/// <summary><c>monitor</c> end to end: real logs written by the POSIX driver, read from their directory or over HTTP.</summary>
public class MonitorCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public MonitorCommandTests()
    {
        File.WriteAllText(_dir["watch"], MonitoredEntries.WatchFile);
    }

    public void Dispose() => _dir.Dispose();

    private string State => _dir["state"];

    internal static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => await RunAsync(null, CancellationToken.None, args);

    internal static async Task<(int Code, string Out, string Err)> RunAsync(TimeSpan? progress, CancellationToken cancel, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await RunAsync(stdout, stderr, progress, cancel, args);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>As the binary runs it: a parse error of monitor is exit 2 (Program.cs).</summary>
    internal static async Task<int> RunAsync(TextWriter stdout, TextWriter stderr, TimeSpan? progress, CancellationToken cancel, params string[] args)
    {
        var command = new MonitorCommand(stdout, stderr, progress);
        var parse = command.Command.Parse(args);
        return command.RefusesParseErrors(parse, stderr) ? 2 : await parse.InvokeAsync(null, cancel);
    }

    /// <summary>monitor --once over a directory or URL, with the test key, this test's state and watch file.</summary>
    private Task<(int Code, string Out, string Err)> OnceAsync(string source, params string[] more) =>
        RunAsync([source.StartsWith("http", StringComparison.Ordinal) ? "--url" : "--storage-dir", source,
            "--vkey", TestData.TesseraVkey, "--state", State, "--watch", _dir["watch"], "--once", .. more]);

    private static List<JsonElement> Lines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static long[] MatchedIndexes(string stdout) =>
        Lines(stdout).Where(l => l.GetProperty("event").GetString() == "match").Select(l => l.GetProperty("index").GetInt64()).ToArray();

    private static GrowingTestLog Log(int size) => new GrowingTestLog().Append(MonitoredEntries.Range(0, size)).Publish();

    [Fact]
    public async Task AGrowingLog_OverHttp_AcrossRestarts_IsReadOnlyWhereItGrew_AndEachMatchIsReportedOnce()
    {
        using var log = Log(300);
        using var server = new StaticLogServer(log.Dir);

        var first = await OnceAsync(server.Url);
        Assert.True(first.Code == 0, first.Err);
        Assert.Equal(MonitoredEntries.Watched(0, 300), MatchedIndexes(first.Out));
        Assert.Equal(log.Checkpoint, File.ReadAllBytes(State));
        Assert.Contains("from size 0: 300 new entries checked (4 matching, 0 malformed)", first.Err);

        log.Append(MonitoredEntries.Range(300, 700)).Publish();
        server.Requests.Clear();
        var second = await OnceAsync(server.Url);
        Assert.True(second.Code == 0, second.Err);
        Assert.Equal(MonitoredEntries.Watched(300, 700), MatchedIndexes(second.Out));
        Assert.Contains("at size 700 ", second.Err);
        Assert.Contains("from size 300: 400 new entries checked (5 matching, 0 malformed)", second.Err);
        // Bundle 1 held entries 256..299 already verified: it is read again (now full) for 300..511.
        Assert.DoesNotContain("/tile/entries/000", server.Requests);
        Assert.Contains("/tile/entries/001", server.Requests);
        Assert.Contains("/tile/entries/002.p/188", server.Requests);

        server.Requests.Clear();
        var third = await OnceAsync(server.Url);
        Assert.Equal((0, ""), (third.Code, third.Out));
        Assert.EndsWith("at size 700 (root " + Convert.ToBase64String(Rfc6962Root(log)) + "): no new entries\n", third.Err);
        Assert.Equal(["/checkpoint"], server.Requests);
    }

    private static byte[] Rfc6962Root(GrowingTestLog log) =>
        RekorPosix.Tiles.Checkpoint.Parse(SignedNote.Parse(log.Checkpoint).Text).RootHash;

    [Fact]
    public async Task AGrowingLog_FromItsDirectory_AcrossRestarts()
    {
        using var log = Log(300);
        var first = await OnceAsync(log.Dir);
        Assert.True(first.Code == 0, first.Err);
        log.Append(MonitoredEntries.Range(300, 700)).Publish();

        var second = await OnceAsync(log.Dir);
        Assert.True(second.Code == 0, second.Err);
        Assert.Equal(MonitoredEntries.Watched(0, 300), MatchedIndexes(first.Out));
        Assert.Equal(MonitoredEntries.Watched(300, 700), MatchedIndexes(second.Out));
        var match = Lines(second.Out).Single(l => l.GetProperty("index").GetInt64() == 555);
        Assert.Equal(700, match.GetProperty("treeSize").GetInt64());
        Assert.StartsWith("digest sha256:", match.GetProperty("rules")[0].GetString());
        Assert.Equal("https://ci.example/build", match.GetProperty("signers")[0].GetProperty("san")[0].GetString());
    }

    [Fact]
    public async Task AForkedLog_ReSignedWithTheSameKey_FailsWithExit1_NamingSizesAndRoots_AndTheStateStays()
    {
        using var log = Log(300);
        Assert.Equal(0, (await OnceAsync(log.Dir)).Code);
        byte[] verified = File.ReadAllBytes(State);
        using var fork = new GrowingTestLog()
            .Append(MonitoredEntries.Range(0, 150)).Append([MonitoredEntries.At(151)]).Append(MonitoredEntries.Range(151, 400)).Publish();

        var (code, output, error) = await OnceAsync(fork.Dir);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("monitor: FAILED: the log's tiles give the tree at size 300 the root ", error);
        Assert.Contains($"but the checkpoint verified before at that size has root {Convert.ToBase64String(Rfc6962Root(log))}", error);
        Assert.Contains($"its checkpoint is now at size 400 with root {Convert.ToBase64String(Rfc6962Root(fork))}", error);
        Assert.Equal(verified, File.ReadAllBytes(State));
    }

    [Fact]
    public async Task AForkAtTheSameSize_FailsWithExit1()
    {
        using var log = Log(300);
        Assert.Equal(0, (await OnceAsync(log.Dir)).Code);
        using var fork = new GrowingTestLog().Append(MonitoredEntries.Range(1, 301)).Publish();

        var (code, _, error) = await OnceAsync(fork.Dir);

        Assert.Equal(1, code);
        Assert.Contains($"the log's checkpoint at size 300 has root {Convert.ToBase64String(Rfc6962Root(fork))}, but the checkpoint verified before at the same size has root {Convert.ToBase64String(Rfc6962Root(log))}: the log forked", error);
    }

    [Fact]
    public async Task ALogThatWentBack_FailsWithExit1()
    {
        using var log = Log(300);
        Assert.Equal(0, (await OnceAsync(log.Dir)).Code);
        using var shorter = Log(200);

        var (code, _, error) = await OnceAsync(shorter.Dir);

        Assert.Equal(1, code);
        Assert.Contains("the log's checkpoint is at size 200", error);
        Assert.Contains("behind the checkpoint verified before at size 300", error);
    }

    public static TheoryData<string, string> Tampering() => new()
    {
        // A full bundle: the level-0 tile its entries give is not the log's.
        { "tile/entries/000", "tile/0/000 as the log serves it differs from the tile its entries give (the leaf hash of entry 255 differs)" },
        // The partial bundle at the right edge: the root is not the checkpoint's.
        { "tile/entries/002.p/188", "the entries 0..699 in the log's bundles give the tree at size 700 the root" },
        { "tile/0/001", "tile/0/001 as the log serves it differs from the tile its entries give (the leaf hash of entry 511 differs)" },
        { "tile/0/002.p/188", "tile/0/002.p/188 as the log serves it differs from the tile its entries give (the leaf hash of entry 699 differs)" },
        { "tile/1/000.p/2", "tile/1/000.p/2 as the log serves it differs from the tile its entries give (hash 1 differs)" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task ATamperedBundleOrHashTile_FailsWithExit1_NamingIt(string file, string message)
    {
        using var log = Log(700);
        byte[] data = File.ReadAllBytes(log[file]);
        data[^1] ^= 0x01;
        File.WriteAllBytes(log[file], data);

        var (code, _, error) = await OnceAsync(log.Dir);

        Assert.True(code == 1, error);
        Assert.Contains(message, error);
        Assert.False(File.Exists(State));
    }

    [Fact]
    public async Task AnEntryVerifiedBefore_ChangedInTheBundleItIsNowReadFrom_FailsWithExit1()
    {
        using var log = Log(300);
        Assert.Equal(0, (await OnceAsync(log.Dir)).Code);
        log.Append(MonitoredEntries.Range(300, 400)).Publish();
        byte[] bundle = File.ReadAllBytes(log["tile/entries/001.p/144"]);
        bundle[10] ^= 0x01; // inside entry 256
        File.WriteAllBytes(log["tile/entries/001.p/144"], bundle);

        var (code, _, error) = await OnceAsync(log.Dir);

        Assert.Equal(1, code);
        Assert.Contains("tile/entries/001.p/144: entry 256 is not the entry verified before", error);
    }

    [Fact]
    public async Task ACheckpointSignedByAnotherKey_OrBadlySigned_FailsWithExit1()
    {
        using var log = Log(300);
        string body = SignedNote.Parse(log.Checkpoint).Text;
        using var other = LogSigningKey.GenerateEd25519();
        File.WriteAllText(log["checkpoint"], SignedNote.Sign(body, [other.CreateNoteSigner(TestData.TesseraOrigin)]));

        var (code, _, error) = await OnceAsync(log.Dir);
        Assert.Equal(1, code);
        Assert.Contains($"{log.Dir}/checkpoint: the checkpoint does not verify with example.com/log/testdata+33d7b496: note has no signature from a known key", error);

        // The log's own signature over another text: its size changed after signing.
        File.WriteAllText(log["checkpoint"], SignedNote.Sign(body, [TestLogKey.Load().CreateNoteSigner(TestData.TesseraOrigin)]).Replace("\n300\n", "\n299\n", StringComparison.Ordinal));
        (code, _, error) = await OnceAsync(log.Dir);
        Assert.Equal(1, code);
        Assert.Contains("invalid signature for key example.com/log/testdata+33d7b496", error);
        Assert.False(File.Exists(State));
    }

    [Fact]
    public async Task APartialTheServerNoLongerHas_IsReadFromItsFullTile()
    {
        // Published at 600, then grown to 800 unpublished: bundle 2 and its level-0 tile are full on
        // disk, and a server without the partials of size 600 answers 404 for them.
        using var log = new GrowingTestLog().Append(MonitoredEntries.Range(0, 600)).Publish().Append(MonitoredEntries.Range(600, 800));
        File.Delete(log["tile/entries/002.p/88"]);
        File.Delete(log["tile/0/002.p/88"]);
        using var server = new StaticLogServer(log.Dir);

        var (code, output, error) = await OnceAsync(server.Url);

        Assert.True(code == 0, error);
        Assert.Equal(MonitoredEntries.Watched(0, 600), MatchedIndexes(output));
        Assert.Contains("at size 600 ", error);
        foreach (string path in new[] { "/tile/entries/002.p/88", "/tile/entries/002", "/tile/0/002.p/88", "/tile/0/002" })
            Assert.Contains(path, server.Requests);
    }

    [Fact]
    public async Task ThisProgramsServer_ThroughItsTilePort_AndItsApiPrefix()
    {
        using var log = Log(700);
        await using var server = await RunningServer.StartAsync(log.Dir, s => s with { ReadOnly = true });
        foreach (string url in new[] { server.TilesAddress.ToString(), new Uri(server.Http.BaseAddress!, "/api/v2").ToString() })
        {
            File.Delete(State);
            var (code, output, error) = await OnceAsync(url);
            Assert.True(code == 0, $"{url}: {error}");
            Assert.Equal(MonitoredEntries.Watched(0, 700), MatchedIndexes(output));
        }
    }

    [Fact]
    public async Task AnUnreachableUrl_Exits2_AndWritesNoState()
    {
        string url = $"http://127.0.0.1:{FreePorts.Take(1)[0]}";
        var (code, _, error) = await OnceAsync(url);
        Assert.Equal(2, code);
        Assert.StartsWith($"monitor: {url}/checkpoint: ", error);
        Assert.False(File.Exists(State));
    }

    [Fact]
    public async Task ALogThatDoesNotServeATileItsCheckpointImplies_Exits2_NamingIt()
    {
        using var log = Log(700);
        File.Delete(log["tile/0/001"]);
        var (code, _, error) = await OnceAsync(log.Dir);
        Assert.Equal(2, code);
        Assert.Contains("does not serve tile/0/001, which its checkpoint at size 700 implies", error);
        Assert.False(File.Exists(State));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage\n")]
    public async Task ADamagedStateFile_Exits2_AndIsNeverReplacedByAFreshStart(string content)
    {
        using var log = Log(300);
        File.WriteAllText(State, content);
        var (code, output, error) = await OnceAsync(log.Dir);
        Assert.Equal((2, ""), (code, output));
        Assert.StartsWith($"monitor: --state {State} is damaged or belongs to another log", error);
        Assert.Equal(content, File.ReadAllText(State));
    }

    [Fact]
    public async Task AStateFileInUseByAnotherMonitor_Exits2()
    {
        using var log = Log(300);
        using var held = new RekorPosix.Monitoring.MonitorStateFile(State).Lock();
        var (code, _, error) = await OnceAsync(log.Dir);
        Assert.Equal(2, code);
        Assert.Contains("another monitor is using it", error);
    }

    [Fact]
    public async Task AWatchFileLineThatIsNoRule_Exits2_NamingFileAndLine()
    {
        File.WriteAllText(_dir["watch"], "# mine\nsan alice@example.com\nwatch everything\n");
        using var log = Log(10);
        var (code, _, error) = await OnceAsync(log.Dir);
        Assert.Equal(2, code);
        Assert.StartsWith($"monitor: --watch {_dir["watch"]}: line 3: not a rule", error);
        Assert.False(File.Exists(State));

        File.Delete(_dir["watch"]);
        (code, _, error) = await OnceAsync(log.Dir);
        Assert.Equal(2, code);
        Assert.StartsWith($"monitor: --watch {_dir["watch"]}: ", error);
    }

    public static TheoryData<string[], string> UsageErrors() => new()
    {
        { ["--once"], "monitor: Option '--vkey' is required." },
        { ["--vkey", TestData.TesseraVkey, "--state", "s", "--once"], "give exactly one of --url URL or --storage-dir DIR" },
        { ["--vkey", TestData.TesseraVkey, "--state", "s", "--url", "http://x", "--storage-dir", "d"], "give exactly one of --url URL or --storage-dir DIR" },
        { ["--vkey", TestData.TesseraVkey, "--state", "s", "--storage-dir", "d", "--interval", "10ms"], "--interval: 10ms is less than 1s" },
        { ["--vkey", TestData.TesseraVkey, "--state", "s", "--storage-dir", "d", "--interval", "soon"], "--interval: invalid duration" },
        { ["--vkey", TestData.TesseraVkey, "--state", "s", "--storage-dir", "d", "--metrics-port", "70000"], "--metrics-port: 70000 is not a port" },
        { ["--vkey", TestData.TesseraVkey, "--state", "s", "--storage-dir", "d", "--once", "--metrics-port", "9000"], "with --once, use --metrics-file" },
        { ["--vkey", "example.com+00000000+AAAA", "--state", "s", "--storage-dir", "d", "--once"], "monitor: --vkey: " },
        { ["--vkey", TestData.TesseraVkey, "--state", "s", "--storage-dir", "d", "--bogus"], "--bogus" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task AUsageError_Exits2_SayingWhat(string[] args, string message)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.Equal((2, ""), (code, output));
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task EntriesThatDoNotParse_AreReportedAndCounted_DsseOnesAccepted_AndTheLogStillVerifies()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        byte[] dsse = RekorBodies.Dsse(RekorBodies.Digest(11), FulcioCertificates.Create(key, email: "alice@example.com", issuer: "https://accounts.example.com"));
        using var log = new GrowingTestLog().Append(MonitoredEntries.Range(0, 10)).Append(["not json"u8.ToArray(), dsse]).Append(MonitoredEntries.Range(12, 20)).Publish();

        var (code, output, error) = await OnceAsync(log.Dir, "--metrics-file", _dir["metrics/monitor.prom"]);

        Assert.True(code == 0, error);
        var lines = Lines(output);
        Assert.Equal([("match", 7L), ("malformed", 10L), ("match", 11L)], lines.Select(l => (l.GetProperty("event").GetString(), l.GetProperty("index").GetInt64())));
        Assert.StartsWith("not JSON", lines[1].GetProperty("problem").GetString());
        Assert.Equal("dsse", lines[2].GetProperty("kind").GetString());
        Assert.Contains("20 new entries checked (2 matching, 1 malformed, 1 dsse)", error);
        string metrics = File.ReadAllText(_dir["metrics/monitor.prom"]);
        foreach (string line in new[]
        {
            "rekor_monitor_verified_size 20", "rekor_monitor_matches_total 2", "rekor_monitor_verification_failures_total 0",
            "rekor_monitor_entries_checked_total{kind=\"hashedrekord\"} 18", "rekor_monitor_entries_checked_total{kind=\"dsse\"} 1",
            "rekor_monitor_entries_checked_total{kind=\"malformed\"} 1",
        })
            Assert.Contains(line + "\n", metrics);
    }

    [Fact]
    public async Task AFailedCheck_IsCountedInTheMetricsFile()
    {
        using var log = Log(300);
        File.WriteAllBytes(log["tile/0/000"], new byte[8192]);
        var (code, _, _) = await OnceAsync(log.Dir, "--metrics-file", _dir["monitor.prom"]);
        Assert.Equal(1, code);
        Assert.Contains("rekor_monitor_verification_failures_total 1\n", File.ReadAllText(_dir["monitor.prom"]));
    }

    [Fact]
    public async Task ALongCatchUp_ShowsItsProgressOnStderr()
    {
        using var log = Log(700);
        var (code, _, error) = await RunAsync(TimeSpan.Zero, CancellationToken.None,
            "--storage-dir", log.Dir, "--vkey", TestData.TesseraVkey, "--state", State, "--once");
        Assert.True(code == 0, error);
        Assert.Contains("monitor: checked 256 of 700 new entries (36.6%), ", error);
        Assert.Contains("monitor: checked 700 of 700 new entries (100.0%), ", error);
    }

    [Fact]
    public async Task Polling_FollowsTheLogAsItGrows_ServesMetrics_AndKeepsGoingAfterAFailure()
    {
        using var log = Log(300);
        int port = FreePorts.Take(1)[0];
        var output = new StringWriter();
        var errors = new StringWriter();
        var stdout = TextWriter.Synchronized(output);
        var stderr = TextWriter.Synchronized(errors);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => RunAsync(stdout, stderr, null, stop.Token, "--storage-dir", log.Dir, "--vkey", TestData.TesseraVkey,
            "--state", State, "--watch", _dir["watch"], "--interval", "1s", "--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = HangGuard.Timeout };
        string Text(StringWriter writer)
        {
            lock (stderr)
                return writer.ToString();
        }
        async Task<string> Metrics()
        {
            try { return await http.GetStringAsync("/metrics"); }
            catch (HttpRequestException) { return ""; }
        }
        async Task Until(string metric)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!(await Metrics()).Contains(metric + "\n", StringComparison.Ordinal) && !run.IsCompleted)
            {
                Assert.True(waited.Elapsed < HangGuard.Timeout, $"hang guard: no {metric}; stderr: {Text(errors)}");
                await Task.Delay(20);
            }
            Assert.False(run.IsCompleted, $"the monitor stopped: {Text(errors)}");
        }

        await Until("rekor_monitor_verified_size 300");
        log.Append(MonitoredEntries.Range(300, 700)).Publish();
        await Until("rekor_monitor_verified_size 700");
        byte[] verified = log.Checkpoint;
        using (var other = LogSigningKey.GenerateEd25519())
            File.WriteAllText(log["checkpoint"], SignedNote.Sign(SignedNote.Parse(verified).Text, [other.CreateNoteSigner(TestData.TesseraOrigin)]));
        await Until("rekor_monitor_verification_failures_total 1");
        string metrics = await Metrics();
        await stop.CancelAsync();

        Assert.Equal(0, await run.WaitAsync(HangGuard.Timeout));
        Assert.Equal(MonitoredEntries.Watched(0, 700), MatchedIndexes(output.ToString()));
        Assert.Equal(verified, File.ReadAllBytes(State));
        Assert.Contains("monitor: FAILED: ", errors.ToString());
        Assert.Contains("rekor_monitor_matches_total 9\n", metrics);
        Assert.Contains("rekor_monitor_entries_checked_total{kind=\"hashedrekord\"} 700\n", metrics);
    }

    [Fact]
    public async Task TrustOnFirstUse_StartsAtTheCurrentCheckpoint_AndChecksOnlyWhatComesAfterIt()
    {
        using var log = Log(300);
        var first = await OnceAsync(log.Dir, "--trust-on-first-use");
        Assert.Equal((0, ""), (first.Code, first.Out));
        Assert.Contains($"monitor: trusting example.com/log/testdata at size 300 (root {Convert.ToBase64String(Rfc6962Root(log))}) on first use: its first 300 entries are not checked", first.Err);
        Assert.Equal(log.Checkpoint, File.ReadAllBytes(State));

        log.Append(MonitoredEntries.Range(300, 700)).Publish();
        var second = await OnceAsync(log.Dir, "--trust-on-first-use");
        Assert.True(second.Code == 0, second.Err);
        Assert.Equal(MonitoredEntries.Watched(300, 700), MatchedIndexes(second.Out));
        Assert.DoesNotContain("trusting", second.Err);
    }

    [Fact]
    public async Task TrustOnFirstUse_StillVerifiesTheSignature()
    {
        using var log = Log(10);
        using var other = LogSigningKey.GenerateEd25519();
        File.WriteAllText(log["checkpoint"], SignedNote.Sign(SignedNote.Parse(log.Checkpoint).Text, [other.CreateNoteSigner(TestData.TesseraOrigin)]));
        var (code, _, error) = await OnceAsync(log.Dir, "--trust-on-first-use");
        Assert.Equal(1, code);
        Assert.Contains("note has no signature from a known key", error);
        Assert.False(File.Exists(State));
    }

    [Fact]
    public async Task ALogOfEntriesThatAreNotRekors_ListsTheFirstThousand_AndCountsTheRest()
    {
        using var log = new GrowingTestLog().Append(Enumerable.Range(0, 1100).Select(i => System.Text.Encoding.ASCII.GetBytes($"line {i}"))).Publish();
        var (code, output, error) = await OnceAsync(log.Dir);
        Assert.True(code == 0, error);
        var lines = Lines(output);
        Assert.Equal(1000, lines.Count);
        Assert.Equal(999, lines[^1].GetProperty("index").GetInt64());
        Assert.Contains("1,100 new entries checked (0 matching, 1,100 malformed, the first 1,000 listed)", error);
    }
}
