using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RekorPosix.Log.Witnessing;

namespace RekorPosix.Http.Witness;

/// <summary>
/// The witness's host: Kestrel, HTTP/1.1 with keep-alive (which tlog-witness asks clients to use),
/// one listener, every request to <see cref="WitnessApi"/>.
/// </summary>
internal sealed class WitnessServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WitnessServer(WebApplication app, ILogger logger)
    {
        _app = app;
        Logger = logger;
    }

    public ILogger Logger { get; }

    public IHostApplicationLifetime Lifetime => _app.Lifetime;

    /// <param name="logging">Extra logging set-up after the console's (tests add a capturing provider).</param>
    /// <exception cref="IOException">The address cannot be listened on (typically a port in use).</exception>
    public static async Task<WitnessServer> StartAsync(CosigningWitness witness, ListenAddress listen, string logLevel,
        CancellationToken cancel, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var builder = SlimHost.CreateBuilder();
        Server.ConfigureLogging(builder.Logging, builder.Services, logLevel);
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            listen.Listen(kestrel, o => o.Protocols = HttpProtocols.Http1);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // WitnessApi caps it, with its own answer
        });
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RekorPosix.WitnessServer");
        var api = new WitnessApi(witness, logger);
        app.Run(api.HandleAsync);
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new WitnessServer(app, logger);
    }

    /// <summary>
    /// The <c>witness</c> command's serving part: starts, says who it is and what it witnesses, and
    /// serves until SIGINT/SIGTERM (systemd told READY, STATUS, WATCHDOG and STOPPING). Returns the
    /// exit code: 0, or 2 when it cannot listen.
    /// </summary>
    /// <param name="generatedKey">The key file, when it was created just now (logged once the log is up).</param>
    public static async Task<int> RunAsync(CosigningWitness witness, ListenAddress listen, string logLevel, string? generatedKey,
        TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(witness);
        WitnessServer server;
        try
        {
            server = await StartAsync(witness, listen, logLevel, cancel).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            stderr.WriteLine($"witness: cannot listen on {listen}: {e.Message}");
            return 2;
        }
        await using (server.ConfigureAwait(false))
        {
            var logger = server.Logger;
            if (generatedKey is not null)
                WitnessServerEvents.GeneratedKey(logger, generatedKey);
            WitnessServerEvents.Identity(logger, witness.Cosigner.Name, witness.Cosigner.VerifierKey);
            WitnessServerEvents.Witnessing(logger, witness.Logs.Origins.Count, string.Join(", ", witness.Logs.Origins), witness.StateDir);
            WitnessServerEvents.Listening(logger, listen.ToString());
            string status = $"witnessing {witness.Logs.Origins.Count} logs";
            using var systemd = SystemdIntegration.Attach(server.Lifetime, () => status, logger, "stopping: answering requests in flight");
            await server.WaitForShutdownAsync(cancel).ConfigureAwait(false);
            return 0;
        }
    }

    /// <summary>Serves until SIGINT/SIGTERM or <paramref name="cancel"/>.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancel) => _app.WaitForShutdownAsync(cancel);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
