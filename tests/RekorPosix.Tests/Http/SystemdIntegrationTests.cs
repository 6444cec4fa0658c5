using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

/// <summary>A real <c>serve</c> child under a stand-in for systemd: $NOTIFY_SOCKET and $WATCHDOG_USEC set.</summary>
public class SystemdIntegrationTests
{
    [Fact]
    public async Task Serve_SendsReady_WatchdogPings_AndStopping()
    {
        using var dir = new TempDir();
        using var socket = new NotifySocket();
        var info = ServerBinary.StartInfo("serve", "--storage-dir", dir["log"], "--signer-filepath", TestLogKey.PemPath,
            "--hostname", TestData.TesseraOrigin, "--http-port", FreePort().ToString(), "--grpc-port", FreePort().ToString());
        info.Environment["NOTIFY_SOCKET"] = socket.Address;
        info.Environment["WATCHDOG_USEC"] = "600000";
        using var child = Process.Start(info)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = child.StandardOutput.ReadToEndAsync();
        try
        {
            var ready = await socket.ReceiveUntilAsync("READY=1", HangGuard.Timeout);
            Assert.Contains("STATUS=serving; tree size 0", ready[^1]);
            // A ping is due every 300 ms; that one comes is the property, not how soon.
            var ping = await socket.ReceiveUntilAsync("WATCHDOG=1", HangGuard.Timeout);
            Assert.Contains("STATUS=serving; tree size 0", ping[^1]);

            using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString()]))
                await kill.WaitForExitAsync();
            var stopping = await socket.ReceiveUntilAsync("STOPPING=1", HangGuard.Timeout);
            Assert.Contains("STATUS=stopping", stopping[^1]);
            await child.WaitForExitAsync().WaitAsync(HangGuard.Timeout);
            Assert.True(child.ExitCode == 0, await stderr + await stdout);
        }
        finally
        {
            if (!child.HasExited)
                child.Kill(entireProcessTree: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
