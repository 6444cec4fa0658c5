using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A real <c>serve</c> as a child process, for what only its console shows: the log lines a
/// client can cause. Stop it with <see cref="StopAsync"/> (SIGTERM) to get every line it wrote.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServeProcess(Process process, int[] ports)
    {
        _process = process;
        HttpPort = ports[0];
        GrpcPort = ports[1];
        MetricsPort = ports[2];
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int HttpPort { get; }
    public int GrpcPort { get; }
    public int MetricsPort { get; }
    public HttpClient Http { get; }
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    /// <summary>Starts serve on free ports (tile listener off) with the test key, plus <paramref name="flags"/>.</summary>
    public static async Task<ServeProcess> StartAsync(string storageDir, params string[] flags)
    {
        for (int attempt = 1; ; attempt++)
        {
            int[] ports = RunningServer.FreePorts(3);
            var info = ServerBinary.StartInfo([
                "serve", "--storage-dir", storageDir, "--signer-filepath", TestLogKey.PemPath, "--hostname", TestData.TesseraOrigin,
                "--http-port", Port(ports[0]), "--grpc-port", Port(ports[1]), "--http-metrics-port", Port(ports[2]), "--tiles-port", "0",
                "--checkpoint-interval", "100ms", .. flags]);
            var server = new ServeProcess(Process.Start(info)!, ports);
            server.Collect();
            if (await server.WaitUntilServingAsync())
                return server;
            // A port found free was taken before serve bound it: try fresh ones.
            var lines = await server.StopAsync();
            if (attempt == 3)
                throw new InvalidOperationException("serve did not start:\n" + string.Join('\n', lines));
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private void Collect()
    {
        _process.StandardInput.Close();
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private async Task<bool> WaitUntilServingAsync()
    {
        for (int i = 0; i < 600; i++)
        {
            if (_process.HasExited)
                return false;
            try
            {
                if ((await Http.GetAsync("/healthz")).IsSuccessStatusCode)
                    return true;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("serve did not answer /healthz");
    }

    /// <summary>Sends SIGTERM, waits for the exit and returns every line written to stdout and stderr.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        return _lines.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                await StopAsync();
        }
        finally
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.Dispose();
            Http.Dispose();
        }
    }
}
