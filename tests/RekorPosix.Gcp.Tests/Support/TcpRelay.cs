using System.Net;
using System.Net.Sockets;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A loopback port that passes bytes to and from a server until <see cref="Blackhole"/>: from then
/// on nothing more gets through either way, and connections stay open, as when a server's host
/// stops answering without closing anything. A client then sees no error, only silence.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IDisposable> _sockets = [];
    private readonly string _target;
    private readonly Task _accepting;
    private volatile bool _blackholed;

    public TcpRelay(string targetHostPort)
    {
        _target = targetHostPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string HostPort => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Blackhole() => _blackholed = true;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { });
        lock (_sockets)
        {
            foreach (var socket in _sockets)
                socket.Dispose();
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Keep(client);
            if (_blackholed)
                continue;
            var endpoint = IPEndPoint.Parse(_target);
            var server = Keep(new TcpClient());
            await server.ConnectAsync(endpoint, _stop.Token);
            _ = PumpAsync(client.GetStream(), server.GetStream());
            _ = PumpAsync(server.GetStream(), client.GetStream());
        }
    }

    /// <summary>Bytes read after the blackhole are dropped, and the pump stops, holding the connection.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        byte[] buffer = new byte[16 << 10];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0 && !_blackholed)
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The relay or a side closed.
        }
    }

    private TcpClient Keep(TcpClient socket)
    {
        lock (_sockets)
            _sockets.Add(socket);
        return socket;
    }
}
