using RekorPosix.Http;

namespace RekorPosix.Tests.Support;

/// <summary>A real <c>serve</c> (Kestrel on loopback, the tessera test key, over the storage the
/// caller's settings give: a POSIX log in a temp dir with <c>RunningServer.Posix.cs</c>) for tests
/// that go through HTTP and gRPC. Dispose stops it as SIGTERM would. Flavour-neutral, so that the
/// cloud tests run the same.</summary>
public sealed partial class RunningServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<int> _run;

    private RunningServer(ServeSettings settings)
    {
        Settings = settings;
        _run = Task.Run(() => Server.RunAsync(settings, _stop.Token));
        string scheme = settings.HttpTlsCertFile.Length > 0 ? "https" : "http";
        // Test certificates are self-signed: trust whatever the server presents.
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        Http = new HttpClient(handler) { BaseAddress = new Uri($"{scheme}://127.0.0.1:{settings.HttpPort}"), Timeout = HangGuard.Timeout };
    }

    public ServeSettings Settings { get; }
    public HttpClient Http { get; }
    public Uri GrpcAddress => new($"{(Settings.GrpcTlsCertFile.Length > 0 ? "https" : "http")}://127.0.0.1:{Settings.GrpcPort}");
    public Uri TilesAddress => new($"http://127.0.0.1:{Settings.TilesPort}");

    /// <param name="configure">The settings of this server, from the defaults on free ports: the
    /// storage at least.</param>
    public static async Task<RunningServer> StartAsync(Func<ServeSettings, ServeSettings> configure)
    {
        // A port found free can be taken by someone else (other tests, other processes) before
        // serve binds it: serve then exits 2 at once, and a fresh set of ports is tried.
        for (int attempt = 1; ; attempt++)
        {
            var server = new RunningServer(configure(DefaultSettings()));
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

    private static ServeSettings DefaultSettings()
    {
        int[] ports = FreePorts.Take(4);
        return new ServeSettings
        {
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
