using RekorPosix.Http;

namespace RekorPosix.Tests.Support;

/// <summary>A real <c>serve</c> (Kestrel on loopback, a POSIX log in a temp dir, the tessera test
/// key) for tests that go through HTTP and gRPC. Dispose stops it as SIGTERM would.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<int> _run;

    private RunningServer(ServeSettings settings, string storageDir)
    {
        Settings = settings;
        StorageDir = storageDir;
        _run = Task.Run(() => Server.RunAsync(settings, _stop.Token));
        string scheme = settings.HttpTlsCertFile.Length > 0 ? "https" : "http";
        // Test certificates are self-signed: trust whatever the server presents.
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        Http = new HttpClient(handler) { BaseAddress = new Uri($"{scheme}://127.0.0.1:{settings.HttpPort}"), Timeout = HangGuard.Timeout };
    }

    public ServeSettings Settings { get; }
    public string StorageDir { get; }
    public HttpClient Http { get; }
    public Uri GrpcAddress => new($"{(Settings.GrpcTlsCertFile.Length > 0 ? "https" : "http")}://127.0.0.1:{Settings.GrpcPort}");
    public Uri TilesAddress => new($"http://127.0.0.1:{Settings.TilesPort}");

    public static async Task<RunningServer> StartAsync(string storageDir, Func<ServeSettings, ServeSettings>? adjust = null)
    {
        // A port found free can be taken by someone else (other tests, other processes) before
        // serve binds it: serve then exits 2 at once, and a fresh set of ports is tried.
        for (int attempt = 1; ; attempt++)
        {
            var server = new RunningServer(DefaultSettings(storageDir, adjust), storageDir);
            try
            {
                return await server.WaitUntilServingAsync();
            }
            catch (InvalidOperationException) when (attempt < 3 && server._run.IsCompleted && server._run.Result == 2)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static ServeSettings DefaultSettings(string storageDir, Func<ServeSettings, ServeSettings>? adjust)
    {
        int[] ports = FreePorts.Take(4);
        var settings = new ServeSettings
        {
            Storage = new() { StorageDir = storageDir },
            SignerFile = TestLogKey.PemPath,
            Hostname = TestData.TesseraOrigin,
            HttpPort = ports[0],
            GrpcPort = ports[1],
            MetricsPort = ports[2],
            TilesPort = ports[3],
            Append = new RekorPosix.Log.AppendOptions
            {
                BatchMaxAge = TimeSpan.FromMilliseconds(5),
                CheckpointInterval = TimeSpan.FromMilliseconds(100),
            },
        };
        return adjust?.Invoke(settings) ?? settings;
    }

    private async Task<RunningServer> WaitUntilServingAsync()
    {
        await HealthzProbe.WaitAsync(Http, async () => _run.IsCompleted ? $"serve exited with {await _run}" : null);
        return this;
    }

    /// <summary>Stops the server the way SIGTERM does and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        _stop.Cancel();
        return await _run.WaitAsync(HangGuard.Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            await StopAsync();
        Http.Dispose();
        _stop.Dispose();
    }
}
