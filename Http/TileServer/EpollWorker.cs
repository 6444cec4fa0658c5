using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using RekorPosix.Http.ReadPath;
using RekorPosix.Interop;
using static RekorPosix.Interop.SocketCalls;

namespace RekorPosix.Http.TileServer;

/// <summary>
/// One event-loop thread of the tile listener: its own epoll set holding the shared listening
/// socket (EPOLLEXCLUSIVE, so a new connection wakes one idle worker, not all) and the
/// connections it serves, which no other thread touches. Accepted connections are dealt to the
/// workers in turn: EPOLLEXCLUSIVE keeps waking the same waiter, and a worker that kept what it
/// accepted would end up with every connection while the others idle (measured: all 64 of a
/// wrk run on one worker). Once a second it closes the connections whose deadline has passed.
/// </summary>
internal sealed unsafe class EpollWorker
{
    /// <summary>Responses this worker sent, by status code; only this worker's thread writes them.</summary>
    internal readonly long[] ResponsesByStatus = new long[600];

    private const int MaxEvents = 256;
    private const int SweepIntervalMs = 1000;
    // After EMFILE the listener stays readable; stepping back for a moment beats spinning on it.
    private const int AcceptPauseMs = 100;
    private const int MaxAcceptsPerWake = 64;

    private readonly TileListener _listener;
    private readonly ILogger _logger;
    private readonly int _epollFd;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<int> _handedOver = new();
    private Connection?[] _connections = new Connection?[1024];
    private long _acceptPausedUntil = -1;
    private int _registered;

    public EpollWorker(TileListener listener, int index, ILogger logger)
    {
        _listener = listener;
        _logger = logger;
        IdleTimeoutMs = (long)listener.Options.IdleTimeout.TotalMilliseconds;
        _epollFd = EpollCreate1(EPOLL_CLOEXEC);
        _wakeFd = EventFd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (_epollFd < 0 || _wakeFd < 0)
            throw new IOException($"tile listener: epoll_create1/eventfd failed (errno {Errno.Last})");
        if (EpollAdd(_epollFd, _wakeFd, EPOLLIN) != 0 || EpollAdd(_epollFd, listener.ListenFd, EPOLLIN | EPOLLEXCLUSIVE) != 0)
            throw new IOException($"tile listener: epoll_ctl failed (errno {Errno.Last})");
        Now = Environment.TickCount64;
        Date.Update(DateTime.UtcNow);
        _thread = new Thread(Run) { IsBackground = true, Name = $"tiles-{index}" };
    }

    public PublishedFiles Files => _listener.Files;
    public TileListenerLimits Limits => _listener.Options.Limits;
    public long IdleTimeoutMs { get; }
    public HttpDate Date { get; } = new();

    /// <summary>Connections this worker serves now.</summary>
    public int Connections => Volatile.Read(ref _registered);

    /// <summary>The loop's clock (Environment.TickCount64), read once per wake-up.</summary>
    public long Now { get; private set; }

    public void Start() => _thread.Start();

    /// <summary>Wakes the loop so that it sees the listener stopping; then waits for it.</summary>
    public void Stop(TimeSpan wait)
    {
        Wake();
        _thread.Join(wait);
    }

    /// <summary>Gives this worker a connection another worker accepted (any thread).</summary>
    public void HandOver(int fd)
    {
        _handedOver.Enqueue(fd);
        Wake();
    }

    private void Wake()
    {
        long one = 1;
        Write(_wakeFd, (byte*)&one, sizeof(long));
    }

    /// <summary>Called by a connection as it closes, before its descriptor is released for reuse.</summary>
    public void Forget(Connection connection)
    {
        if (connection.Fd < _connections.Length && _connections[connection.Fd] == connection)
            _connections[connection.Fd] = null;
        Interlocked.Decrement(ref _registered);
        Interlocked.Decrement(ref _listener.ConnectionCount);
    }

    private void Run()
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EpollEventSize));
        try
        {
            long nextSweep = Now + SweepIntervalMs;
            while (!_listener.Stopping)
            {
                int n = EpollWait(_epollFd, events, MaxEvents, SweepIntervalMs);
                Now = Environment.TickCount64;
                Date.Update(DateTime.UtcNow);
                if (n < 0 && Errno.Last != Errno.EINTR)
                    throw new IOException($"epoll_wait failed (errno {Errno.Last})");
                for (int i = 0; i < n; i++)
                {
                    int fd = FdAt(events, i);
                    if (fd == _listener.ListenFd)
                        Accept();
                    else if (fd == _wakeFd)
                        TakeHandedOver();
                    else if (fd < _connections.Length)
                        _connections[fd]?.OnEvents(EventsAt(events, i));
                }
                if (Now >= nextSweep)
                {
                    Sweep();
                    nextSweep = Now + SweepIntervalMs;
                }
                if (_acceptPausedUntil >= 0 && Now >= _acceptPausedUntil)
                    ResumeAccepting();
            }
        }
        catch (Exception e)
        {
            HttpEvents.TileWorkerCrashed(_logger, e);
        }
        finally
        {
            foreach (var connection in _connections)
                connection?.Close();
            DropHandedOver();
            NativeMemory.Free(events);
            FileCalls.Close(_wakeFd);
            FileCalls.Close(_epollFd);
        }
    }

    /// <summary>Accepts what is waiting (a bounded batch, so that the loop's other connections
    /// are not starved by a flood) and deals it out.</summary>
    private void Accept()
    {
        for (int n = 0; n < MaxAcceptsPerWake; n++)
        {
            int fd = Accept4(_listener.ListenFd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
            {
                int errno = Errno.Last;
                if (errno is Errno.EMFILE or Errno.ENFILE or Errno.ENOBUFS or Errno.ENOMEM)
                {
                    HttpEvents.TileSocketError(_logger, "accept4", errno);
                    PauseAccepting();
                }
                return; // EAGAIN: nothing more (or another worker took it); ECONNABORTED and the like: the client left
            }
            if (Interlocked.Increment(ref _listener.ConnectionCount) > _listener.Options.MaxConnections)
            {
                Interlocked.Decrement(ref _listener.ConnectionCount);
                Abort(fd);
                continue;
            }
            SetInt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
            var worker = _listener.NextWorker();
            if (worker == this)
                Register(fd);
            else
                worker.HandOver(fd);
        }
    }

    private void TakeHandedOver()
    {
        long count;
        Read(_wakeFd, (byte*)&count, sizeof(long));
        while (_handedOver.TryDequeue(out int fd))
        {
            if (_listener.Stopping)
                Drop(fd);
            else
                Register(fd);
        }
    }

    /// <summary>Closes connections handed over too late to be served (the listener is stopping);
    /// called once more after every worker has stopped, for those handed over at the very end.</summary>
    public void DropHandedOver()
    {
        while (_handedOver.TryDequeue(out int fd))
            Drop(fd);
    }

    /// <summary>Closes a connection that was never registered.</summary>
    private void Drop(int fd)
    {
        Interlocked.Decrement(ref _listener.ConnectionCount);
        FileCalls.Close(fd);
    }

    private void Register(int fd)
    {
        if (fd >= _connections.Length)
            Array.Resize(ref _connections, Math.Max(fd + 1, _connections.Length * 2));
        var connection = new Connection(fd, this);
        _connections[fd] = connection;
        Interlocked.Increment(ref _registered);
        if (EpollAdd(_epollFd, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) != 0)
        {
            HttpEvents.TileSocketError(_logger, "epoll_ctl", Errno.Last);
            connection.Close();
        }
    }

    private void PauseAccepting()
    {
        if (EpollDelete(_epollFd, _listener.ListenFd) == 0)
            _acceptPausedUntil = Now + AcceptPauseMs;
    }

    private void ResumeAccepting()
    {
        if (EpollAdd(_epollFd, _listener.ListenFd, EPOLLIN | EPOLLEXCLUSIVE) == 0)
            _acceptPausedUntil = -1;
    }

    private void Sweep()
    {
        foreach (var connection in _connections)
        {
            if (connection is not null && Now >= connection.Deadline)
                connection.Close();
        }
    }
}
