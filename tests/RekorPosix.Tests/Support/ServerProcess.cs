using System.Diagnostics;
using System.Globalization;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A real <c>serve</c> in a process of its own (the binary <see cref="ServerBinary"/> picks), on a
/// fresh log with the tessera test key, for what must be measured apart from the test host, which
/// runs other test classes at the same time: its memory above all. Dispose stops it with SIGTERM.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private ServerProcess(string storageDir, IReadOnlyDictionary<string, string> environment)
    {
        int[] ports = FreePorts.Take(4);
        HttpPort = ports[0];
        var info = ServerBinary.StartInfo("serve", "--storage-dir", storageDir, "--signer-filepath", TestLogKey.PemPath,
            "--hostname", TestData.TesseraOrigin, "--http-port", Text(ports[0]), "--grpc-port", Text(ports[1]),
            "--http-metrics-port", Text(ports[2]), "--tiles-port", Text(ports[3]));
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        _process = Process.Start(info)!;
        _process.StandardInput.Close();
        // Read both streams all along: a full pipe would stop the server mid-write.
        _ = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = HangGuard.Timeout };
    }

    public int Pid => _process.Id;
    public int HttpPort { get; }
    public HttpClient Http { get; }

    /// <summary>Why the server is gone (exit code, the end of its stderr); null while it runs.</summary>
    public string? Gone()
    {
        if (!_process.HasExited)
            return null;
        _process.WaitForExit();
        string stderr = _stderr.Result;
        return $"serve exited with {_process.ExitCode}: {stderr[Math.Max(0, stderr.Length - 2000)..]}";
    }

    /// <summary>Starts serve and waits until it answers /healthz; fresh ports when one it was
    /// given was taken before it could bind it (it exits 2 at once then).</summary>
    public static async Task<ServerProcess> StartAsync(string storageDir, IReadOnlyDictionary<string, string>? environment = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            var server = new ServerProcess(storageDir, environment ?? new Dictionary<string, string>());
            try
            {
                return await server.WaitUntilServingAsync();
            }
            catch (InvalidOperationException) when (attempt < 3 && server._process.ExitCode == 2)
            {
                server.Dispose();
            }
        }
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task<ServerProcess> WaitUntilServingAsync()
    {
        try
        {
            await HealthzProbe.WaitAsync(Http, async () => _process.HasExited ? $"serve exited with {_process.ExitCode}: {await _stderr}" : null);
            return this;
        }
        catch (TimeoutException)
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", Text(Pid)]))
                term.WaitForExit();
            if (!_process.WaitForExit(HangGuard.Timeout))
                _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
        Http.Dispose();
        _process.Dispose();
    }
}
