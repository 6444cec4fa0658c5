using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using RekorPosix.Http.ReadPath;

namespace RekorPosix.Http.TileServer;

/// <summary>
/// The tile listener (<c>--tiles-port</c>): a small HTTP/1.1 server that answers GET and HEAD of
/// the checkpoint, tiles and entry bundles and nothing else, with bodies sent by sendfile(2).
/// It binds one listening socket and runs <see cref="TileListenerOptions.Workers"/> epoll loops
/// over it; it shares the route grammar and the published-only rule with the API port.
/// </summary>
internal sealed class TileListener : IDisposable
{
    private const int Backlog = 511;

    private readonly Socket _socket;
    private readonly EpollWorker[] _workers;
    private volatile bool _stopping;
    private int _nextWorker;

    /// <summary>Connections open across all workers, for the cap.</summary>
    internal int ConnectionCount;

    private TileListener(TileListenerOptions options, PublishedFiles files, ILogger logger)
    {
        Options = options;
        Files = files;
        _socket = new Socket(options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.Bind(options.EndPoint);
            _socket.Listen(Backlog);
            // Workers race for each connection: whoever loses must get EAGAIN, not block.
            _socket.Blocking = false;
            ListenFd = (int)_socket.SafeHandle.DangerousGetHandle();
            _workers = new EpollWorker[Math.Max(1, options.Workers)];
            for (int i = 0; i < _workers.Length; i++)
                _workers[i] = new EpollWorker(this, i, logger);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public TileListenerOptions Options { get; }
    public PublishedFiles Files { get; }
    public int ListenFd { get; }
    public bool Stopping => _stopping;
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Connections each worker serves now.</summary>
    public IReadOnlyList<int> ConnectionsPerWorker => [.. _workers.Select(w => w.Connections)];

    /// <summary>Responses sent so far by status code, summed over the workers (for metrics).</summary>
    public IEnumerable<(int Status, long Count)> ResponseCounts()
    {
        for (int status = 0; status < 600; status++)
        {
            long count = 0;
            foreach (var worker in _workers)
                count += Volatile.Read(ref worker.ResponsesByStatus[status]);
            if (count > 0)
                yield return (status, count);
        }
    }

    /// <summary>The worker that gets the next accepted connection: each in turn.</summary>
    public EpollWorker NextWorker() =>
        _workers[(int)((uint)Interlocked.Increment(ref _nextWorker) % (uint)_workers.Length)];

    /// <summary>Binds and starts serving. Throws <see cref="SocketException"/> when the address
    /// cannot be bound (in use, not local, no permission).</summary>
    public static TileListener Start(TileListenerOptions options, PublishedFiles files, ILogger logger)
    {
        var listener = new TileListener(options, files, logger);
        foreach (var worker in listener._workers)
            worker.Start();
        return listener;
    }

    /// <summary>Stops accepting, closes every connection and waits for the workers.</summary>
    public void Dispose()
    {
        if (_stopping)
            return;
        _stopping = true;
        foreach (var worker in _workers)
            worker.Stop(TimeSpan.FromSeconds(5));
        foreach (var worker in _workers)
            worker.DropHandedOver();
        _socket.Dispose();
    }
}
