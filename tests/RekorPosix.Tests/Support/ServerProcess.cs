using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A real <c>serve</c> in a process of its own (the binary <see cref="ServerBinary"/> picks), with
/// the tessera test key, for what must be observed apart from the test host, which runs other test
/// classes at the same time: its memory, and the lines it writes to its console (what a client can
/// make it log). <see cref="StopAsync"/> stops it with SIGTERM and returns every line it wrote.
/// </summary>
public sealed class ServerProcess : IDisposable, IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServerProcess(string storageDir, int[] ports, string[] flags, IReadOnlyDictionary<string, string> environment)
    {
        (HttpPort, GrpcPort, MetricsPort, TilesPort) = (ports[0], ports[1], ports[2], ports[3]);
        var info = ServerBinary.StartInfo([
            "serve", "--storage-dir", storageDir, "--signer-filepath", TestLogKey.PemPath, "--hostname", TestData.TesseraOrigin,
            "--http-port", Text(HttpPort), "--grpc-port", Text(GrpcPort), "--http-metrics-port", Text(MetricsPort),
            "--tiles-port", Text(TilesPort), "--checkpoint-interval", "100ms", .. flags]);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        _process = Process.Start(info)!;
        _process.StandardInput.Close();
        // Read both streams all along: a full pipe would stop the server mid-write.
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = HangGuard.Timeout };
    }

    public int Pid => _process.Id;
    public int HttpPort { get; }
    public int GrpcPort { get; }
    public int MetricsPort { get; }
    public int TilesPort { get; }
    public HttpClient Http { get; }
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    /// <summary>Starts serve with <paramref name="flags"/> added and waits until it answers /healthz;
    /// fresh ports when one it was given was taken before it could bind it (it exits 2 at once then).</summary>
    public static async Task<ServerProcess> StartAsync(string storageDir, string[]? flags = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            var server = new ServerProcess(storageDir, FreePorts.Take(4), flags ?? [], environment ?? new Dictionary<string, string>());
            try
            {
                await HealthzProbe.WaitAsync(server.Http, () => Task.FromResult(server.Gone()));
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server._process.ExitCode == 2)
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Why the server is gone (exit code, its last lines); null while it runs.</summary>
    public string? Gone()
    {
        if (!_process.HasExited)
            return null;
        _process.WaitForExit(); // the last lines are read once the exit is seen
        return $"serve exited with {_process.ExitCode}: {string.Join('\n', _lines.TakeLast(20))}";
    }

    /// <summary>Sends SIGTERM, waits for the exit (hang guard) and returns every line written to
    /// stdout and stderr.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", Text(Pid)]))
                await term.WaitForExitAsync();
            await _process.WaitForExitAsync().WaitAsync(HangGuard.Timeout);
        }
        _process.WaitForExit();
        return _lines.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
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

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
