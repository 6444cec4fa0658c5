using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace RekorPosix.Tests.Support;

/// <summary>What systemd listens on for a Type=notify service: a bound Unix datagram socket,
/// in the abstract namespace ("@name") or at a path.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifySocket(string? path = null)
    {
        string name = $"rekorposix-test-{Guid.NewGuid():N}";
        Address = path ?? "@" + name;
        _socket.Bind(new UnixDomainSocketEndPoint(path ?? "\0" + name));
    }

    /// <summary>The value for $NOTIFY_SOCKET.</summary>
    public string Address { get; }

    /// <summary>The next datagram, or null after <paramref name="timeout"/>.</summary>
    public async Task<string?> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            int length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Datagrams until one contains <paramref name="field"/>; all of them, that one last.</summary>
    public async Task<List<string>> ReceiveUntilAsync(string field, TimeSpan timeout)
    {
        var seen = new List<string>();
        // Stopwatch, not the wall clock: a clock step must not end or stretch the wait.
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            string? message = await ReceiveAsync(timeout - waited.Elapsed);
            if (message is null)
                break;
            seen.Add(message);
            if (message.Split('\n').Contains(field))
                return seen;
        }
        throw new TimeoutException($"no {field} within {timeout}; got: {string.Join(" | ", seen)}");
    }

    public void Dispose() => _socket.Dispose();
}
