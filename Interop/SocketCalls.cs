using System.Runtime.InteropServices;

namespace RekorPosix.Interop;

/// <summary>
/// The socket and epoll syscalls of the tile listener. Kestrel cannot hand a file to the socket
/// without copying it through user space; these calls let a tile go from the page cache to the
/// socket with sendfile(2), from an event loop that allocates nothing per request. Sockets, epoll
/// sets and eventfds are closed with <see cref="FileCalls.Close"/>; errno values are in <see cref="Errno"/>.
/// </summary>
internal static unsafe partial class SocketCalls
{
    // accept4(2) flags, setsockopt(2) levels and options, shutdown(2) how (bits/socket.h, netinet/tcp.h).
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SO_LINGER = 13;
    public const int IPPROTO_TCP = 6;
    public const int TCP_NODELAY = 1;
    public const int SHUT_WR = 1;

    // send flags: no SIGPIPE on a closed peer; more data follows, hold the segment back.
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_MORE = 0x8000;

    // epoll_create1(2), epoll_ctl(2) and the event bits (sys/epoll.h).
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 0x1;
    public const uint EPOLLOUT = 0x4;
    public const uint EPOLLERR = 0x8;
    public const uint EPOLLHUP = 0x10;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLEXCLUSIVE = 1u << 28;
    public const uint EPOLLET = 1u << 31;

    // eventfd(2) flags (sys/eventfd.h).
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    /// <summary>struct epoll_event is packed on x86-64 (12 bytes, data at 4) and naturally
    /// aligned elsewhere (16 bytes, data at 8): sys/epoll.h, __EPOLL_PACKED.</summary>
    public static readonly int EpollEventSize = IsPackedEpoll ? 12 : 16;
    private static readonly int EpollDataOffset = IsPackedEpoll ? 4 : 8;
    private static bool IsPackedEpoll => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, void* address, void* addressLength, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "sendfile", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, long* offset, nuint count);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epollFd, int op, int fd, byte* epollEvent);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epollFd, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    // write(2) and read(2) of the eventfd that wakes a worker.
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint length);

    /// <summary>Registers <paramref name="fd"/> with its own number as the event's data.</summary>
    public static int EpollAdd(int epollFd, int fd, uint events)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollDataOffset) = (ulong)fd;
        return EpollCtl(epollFd, EPOLL_CTL_ADD, fd, ev);
    }

    public static int EpollDelete(int epollFd, int fd)
    {
        byte* ev = stackalloc byte[16];
        return EpollCtl(epollFd, EPOLL_CTL_DEL, fd, ev);
    }

    public static uint EventsAt(byte* events, int i) => *(uint*)(events + i * EpollEventSize);

    public static int FdAt(byte* events, int i) => (int)*(ulong*)(events + i * EpollEventSize + EpollDataOffset);

    public static void SetInt(int fd, int level, int name, int value)
    {
        SetSockOpt(fd, level, name, &value, sizeof(int));
    }

    /// <summary>SO_LINGER with a zero timeout: close() resets the connection at once instead of
    /// leaving it in TIME_WAIT; for connections refused at the cap.</summary>
    public static void Abort(int fd)
    {
        int* linger = stackalloc int[2];
        linger[0] = 1;
        linger[1] = 0;
        SetSockOpt(fd, SOL_SOCKET, SO_LINGER, linger, 2 * sizeof(int));
        FileCalls.Close(fd);
    }}

/// <summary>struct iovec.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVector
{
    public byte* Base;
    public nuint Length;
}

/// <summary>struct msghdr (LP64: sequential layout gives C's padding).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MessageHeader
{
    public void* Name;
    public uint NameLength;
    public IoVector* Vectors;
    public nuint VectorCount;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}
