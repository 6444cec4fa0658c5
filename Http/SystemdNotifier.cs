using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace RekorPosix.Http;

/// <summary>
/// sd_notify(3) for a <c>Type=notify</c> unit, written here because Microsoft's systemd package
/// has no watchdog and finds systemd only through /proc (which ProtectProc= may hide): each state
/// change is one datagram of NAME=value lines to the Unix socket named by $NOTIFY_SOCKET, a path
/// or, with a leading '@', a name in the abstract namespace. Failures to send are ignored, as
/// sd_notify's callers do: a service must not die because its supervisor stopped listening.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;

    private SystemdNotifier(string address, UnixDomainSocketEndPoint endpoint)
    {
        Address = address;
        _endpoint = endpoint;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>$NOTIFY_SOCKET as given.</summary>
    public string Address { get; }

    /// <summary>The notifier for $NOTIFY_SOCKET, or null when not run by systemd.</summary>
    public static SystemdNotifier? FromEnvironment() => Create(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    /// <summary>Null for no address, and for kinds other than Unix sockets (systemd 253+ may pass vsock:).</summary>
    public static SystemdNotifier? Create(string? address)
    {
        if (string.IsNullOrEmpty(address) || address.Length < 2 || address[0] is not ('/' or '@'))
            return null;
        // The abstract namespace is spelled with a leading NUL in the socket address.
        string path = address[0] == '@' ? "\0" + address[1..] : address;
        return new SystemdNotifier(address, new UnixDomainSocketEndPoint(path));
    }

    /// <summary>Half of $WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; null when the watchdog is
    /// off, or when $WATCHDOG_PID names another process.</summary>
    public static TimeSpan? WatchdogInterval(string? usec, string? pid, int ownPid)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out long micros) || micros <= 0)
            return null;
        if (!string.IsNullOrEmpty(pid) && pid != ownPid.ToString(CultureInfo.InvariantCulture))
            return null;
        return TimeSpan.FromMicroseconds(micros / 2.0);
    }

    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    public void Status(string status) => Send($"STATUS={status}");

    public void Watchdog(string status) => Send($"WATCHDOG=1\nSTATUS={status}");

    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={status}");

    public void Send(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endpoint);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();
}
