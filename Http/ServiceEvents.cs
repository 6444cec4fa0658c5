using Microsoft.Extensions.Logging;

namespace RekorPosix.Http;

/// <summary>Log lines about running as an operating-system service: key file hygiene, systemd.</summary>
internal static partial class ServiceEvents
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "{Problem} (continuing because of --allow-insecure-key-permissions)")]
    public static partial void InsecureKeyPermissions(ILogger logger, string problem);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "systemd: notifying {Socket}; watchdog ping every {Interval}")]
    public static partial void SystemdNotify(ILogger logger, string socket, string interval);
}
