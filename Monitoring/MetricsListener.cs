using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using RekorPosix.Http;
using RekorPosix.Verification;

namespace RekorPosix.Monitoring;

/// <summary>
/// <c>--metrics-port</c>: the metrics in the Prometheus text format on every path (as serve's
/// metrics port answers), over HTTP/1.1 on <c>--metrics-address</c>, for as long as the monitor runs.
/// </summary>
internal sealed class MetricsListener : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsListener(WebApplication app)
    {
        _app = app;
    }

    /// <exception cref="MonitorInputException">The address cannot be listened on.</exception>
    public static async Task<MetricsListener> StartAsync(string address, int port, MonitorMetrics metrics, CancellationToken cancel)
    {
        if (!System.Net.IPAddress.TryParse(address, out var ip))
            throw new MonitorInputException($"--metrics-address {BoundedText.Of(address)}: not an IP address");
        var builder = SlimHost.CreateBuilder();
        // The monitor's stderr is for its own messages.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(ip, port, o => o.Protocols = HttpProtocols.Http1);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        app.Run(context => MetricsEndpoint.HandleAsync(context, metrics.WriteAsync));
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new MonitorInputException($"--metrics-port {port}: cannot listen on {address}: {e.Message}", e);
        }
        return new MetricsListener(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
