using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RekorPosix.Http;

/// <summary>
/// Ties <see cref="SystemdNotifier"/> to the server's lifetime: READY=1 once the listeners are up,
/// WATCHDOG=1 with a fresh STATUS at half the watchdog period while running, STOPPING=1 when a
/// shutdown begins. Nothing happens when not run by systemd.
/// </summary>
public sealed class SystemdIntegration : IDisposable
{
    private readonly SystemdNotifier _notifier;
    private readonly Func<string> _status;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<CancellationTokenRegistration> _registrations = [];

    private SystemdIntegration(SystemdNotifier notifier, Func<string> status)
    {
        _notifier = notifier;
        _status = status;
    }

    /// <param name="status">The STATUS= text, asked for at each notification.</param>
    /// <param name="stopping">The STATUS= text sent with STOPPING=1.</param>
    public static SystemdIntegration? Attach(IHostApplicationLifetime lifetime, Func<string> status, ILogger logger,
        string stopping = "stopping: answering requests in flight, publishing the final checkpoint")
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        if (SystemdNotifier.FromEnvironment() is not { } notifier)
            return null;
        var interval = SystemdNotifier.WatchdogInterval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);
        ServiceEvents.SystemdNotify(logger, notifier.Address, interval?.ToString() ?? "(no watchdog)");
        var integration = new SystemdIntegration(notifier, status);
        integration._registrations.Add(lifetime.ApplicationStarted.Register(() =>
        {
            notifier.Ready(status());
            if (interval is { } period)
                _ = integration.PingAsync(period);
        }));
        integration._registrations.Add(lifetime.ApplicationStopping.Register(() =>
        {
            integration._stop.Cancel();
            notifier.Stopping(stopping);
        }));
        return integration;
    }

    private async Task PingAsync(TimeSpan period)
    {
        // Taken once: the token stays usable after Dispose, which cancels it.
        var stop = _stop.Token;
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
                _notifier.Watchdog(_status());
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _stop.Cancel();
        _stop.Dispose();
        _notifier.Dispose();
    }
}
