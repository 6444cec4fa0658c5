using RekorPosix.Http;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

/// <summary>Start-up refusals of <c>serve</c>: each exits 2 before anything is opened.</summary>
public class ServerTests
{
    [Theory]
    [InlineData("ed25519")]
    [InlineData("rsa-sign-pss-2048-sha256")]
    [InlineData("no-such-algorithm")]
    public async Task ClientAlgorithmsOutsideTheDefaultSet_AreRefused(string algorithm)
    {
        using var dir = new TempDir();
        var settings = new ServeSettings
        {
            Storage = new() { StorageDir = dir.Path }, SignerFile = TestLogKey.PemPath, Hostname = "example.test",
            HttpPort = 1, GrpcPort = 2, ClientSigningAlgorithms = [algorithm],
        };
        Assert.Equal(2, await Server.RunAsync(settings, CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData(3000, 3000, "example.test")]
    [InlineData(0, 3001, "example.test")]
    [InlineData(3000, 3001, "bad host")]
    [InlineData(3000, 3001, "a+b")]
    public async Task BadListenersOrOrigins_AreRefused(int httpPort, int grpcPort, string hostname)
    {
        using var dir = new TempDir();
        var settings = new ServeSettings
        {
            Storage = new() { StorageDir = dir.Path }, SignerFile = TestLogKey.PemPath, Hostname = hostname, HttpPort = httpPort, GrpcPort = grpcPort,
        };
        Assert.Equal(2, await Server.RunAsync(settings, CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData(3000, null, 30_000, 64L)]
    [InlineData(3001, null, 30_000, 64L)]
    [InlineData(-1, null, 30_000, 64L)]
    [InlineData(65536, null, 30_000, 64L)]
    [InlineData(3002, "localhost", 30_000, 64L)]
    [InlineData(3002, null, 50, 64L)]
    [InlineData(3002, null, 30_000, -1L)]
    public async Task BadTileListenerSettings_AreRefused(int port, string? address, int idleMs, long cacheBytes)
    {
        using var dir = new TempDir();
        var settings = new ServeSettings
        {
            Storage = new() { StorageDir = dir.Path }, SignerFile = TestLogKey.PemPath, Hostname = "example.test", HttpPort = 3000, GrpcPort = 3001,
            TilesPort = port, TilesAddress = address, TilesIdleTimeout = TimeSpan.FromMilliseconds(idleMs), TilesCacheBytes = cacheBytes,
        };
        Assert.Equal(2, await Server.RunAsync(settings, CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("witness w1 not-a-key http://w.example\nquorum w1\n", "line 1")]
    [InlineData("witness w1 w+00000000+BA== http://w.example\nquorum w2\n", "line 1")]
    [InlineData("log x\n", "quorum")]
    [InlineData(null, "cannot read")]
    public async Task ABadWitnessPolicy_IsRefusedNamingTheFileAndLine(string? policy, string expected)
    {
        using var dir = new TempDir();
        using var policyDir = new TempDir();
        string path = policyDir["policy"];
        if (policy is not null)
            File.WriteAllText(path, policy);
        var settings = new ServeSettings
        {
            Storage = new() { StorageDir = dir.Path }, SignerFile = TestLogKey.PemPath, Hostname = "example.test", HttpPort = 3000, GrpcPort = 3001,
            WitnessPolicyPath = path,
        };
        string error = await StandardError(() => Server.RunAsync(settings, CancellationToken.None), exitCode: 2);
        Assert.Contains("--witness-policy-path", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task ANonPositiveWitnessTimeout_IsRefused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["policy"], "quorum none\n");
        var settings = new ServeSettings
        {
            Storage = new() { StorageDir = dir["log"] }, SignerFile = TestLogKey.PemPath, Hostname = "example.test", HttpPort = 3000, GrpcPort = 3001,
            WitnessPolicyPath = dir["policy"], Witnessing = new() { Timeout = TimeSpan.Zero },
        };
        Assert.Contains("--witness-timeout", await StandardError(() => Server.RunAsync(settings, CancellationToken.None), exitCode: 2), StringComparison.Ordinal);
    }

    private static async Task<string> StandardError(Func<Task<int>> run, int exitCode)
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(exitCode, await run());
        }
        finally
        {
            Console.SetError(previous);
        }
        return error.ToString();
    }

    [Fact]
    public async Task ATilePortInUse_IsRefused_AndTheLogClosedCleanly()
    {
        using var dir = new TempDir();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var settings = new ServeSettings
        {
            Storage = new() { StorageDir = dir.Path }, SignerFile = TestLogKey.PemPath, Hostname = "example.test", HttpPort = 3000, GrpcPort = 3001,
            TilesPort = port,
        };
        Assert.Equal(2, await Server.RunAsync(settings, CancellationToken.None));
        // The log was opened (and a first checkpoint published) before the port was tried.
        Assert.True(File.Exists(Path.Combine(dir.Path, "checkpoint")));
    }

    [Fact]
    public async Task APortInUse_IsRefusedWithAMessage_NotACrash()
    {
        using var dir = new TempDir();
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        int port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;
        var settings = new ServeSettings
        {
            Storage = new() { StorageDir = dir.Path }, SignerFile = TestLogKey.PemPath, Hostname = "example.test",
            HttpPort = port, GrpcPort = port == 65000 ? 65001 : 65000, MetricsPort = 65002,
        };
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(2, await Server.RunAsync(settings, CancellationToken.None));
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Contains("cannot listen", error.ToString());
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.ToString());
    }

    [Fact]
    public async Task Shutdown_AnswersRequestsInFlight_AndPublishesAFinalCheckpoint()
    {
        using var dir = new TempDir();
        // The first checkpoint (size 0) is written at start and the next one 10 s later: the
        // requests below are integrated in milliseconds and wait for it, in flight when the stop
        // comes; the interval is the slack for a loaded machine. Kestrel's drain at shutdown
        // (--server-timeout, 20 s) waits for it, and the log's final checkpoint comes after.
        var server = await RunningServer.StartAsync(dir.Path, s => s with
        {
            Append = s.Append with { CheckpointInterval = TimeSpan.FromSeconds(10) },
        });
        var posts = Enumerable.Range(0, 20)
            .Select(_ => server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(WriteApiRequests.NewJson())))
            .ToList();
        // Stop once all 20 are integrated, i.e. received and now waiting for their checkpoint.
        var storage = new RekorPosix.Log.Posix.PosixStorage(dir.Path);
        await Eventually.True(() => storage.ReadTreeState().Size == 20, "the 20 entries were integrated");
        Assert.All(posts, p => Assert.False(p.IsCompleted));
        Assert.Equal(0, await server.StopAsync());
        foreach (var post in posts)
            Assert.Equal(System.Net.HttpStatusCode.Created, (await post).StatusCode);
        await server.DisposeAsync();
        var audit = PosixStorageCalls.Audit(dir.Path, TestLogKey.Verifier());
        Assert.True(audit.Ok, audit.Message);
        Assert.Equal(20, audit.Checkpoint!.Size);
    }
}
