using System.Net;
using System.Net.Sockets;
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
        Http = new HttpClient(handler) { BaseAddress = new Uri($"{scheme}://127.0.0.1:{settings.HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public ServeSettings Settings { get; }
    public string StorageDir { get; }
    public HttpClient Http { get; }
    public Uri GrpcAddress => new($"{(Settings.GrpcTlsCertFile.Length > 0 ? "https" : "http")}://127.0.0.1:{Settings.GrpcPort}");
    public Uri TilesAddress => new($"http://127.0.0.1:{Settings.TilesPort}");

    public static async Task<RunningServer> StartAsync(string storageDir, Func<ServeSettings, ServeSettings>? adjust = null)
    {
        var settings = new ServeSettings
        {
            StorageDir = storageDir,
            SignerFile = TestLogKey.PemPath,
            Hostname = TestData.TesseraOrigin,
            HttpPort = FreePort(),
            GrpcPort = FreePort(),
            MetricsPort = FreePort(),
            TilesPort = FreePort(),
            Append = new RekorPosix.Log.AppendOptions
            {
                BatchMaxAge = TimeSpan.FromMilliseconds(5),
                CheckpointInterval = TimeSpan.FromMilliseconds(100),
            },
        };
        settings = adjust?.Invoke(settings) ?? settings;
        var server = new RunningServer(settings, storageDir);
        for (int i = 0; i < 300; i++)
        {
            if (server._run.IsCompleted)
                throw new InvalidOperationException($"serve exited with {await server._run}");
            try
            {
                if ((await server.Http.GetAsync("/healthz")).IsSuccessStatusCode)
                    return server;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("serve did not answer /healthz");
    }

    /// <summary>Stops the server the way SIGTERM does and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        _stop.Cancel();
        return await _run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            await StopAsync();
        Http.Dispose();
        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
