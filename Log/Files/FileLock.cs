using RekorPosix.Interop;

namespace RekorPosix.Log.Files;

/// <summary>
/// An exclusive flock(2) on a dedicated lock file. flock belongs to the open file description,
/// so it excludes other processes and also other handles in this process (fcntl locks would
/// do neither reliably: any close of the file drops them). The kernel releases it when the
/// process dies, so a crash never leaves a stale lock. Lock files are never deleted.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private const int Mode0644 = 0x1A4;
    private readonly string _path;
    private int _fd;

    private FileLock(string path, int fd)
    {
        _path = path;
        _fd = fd;
    }

    /// <summary>Blocks until the lock is held.</summary>
    public static FileLock Acquire(string path) => Take(path, wait: true)!;

    /// <summary>Returns null at once when another handle holds the lock.</summary>
    public static FileLock? TryAcquire(string path) => Take(path, wait: false);

    private static FileLock? Take(string path, bool wait)
    {
        int fd = FileCalls.Open(path, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC, Mode0644);
        if (fd < 0)
            throw Errno.LastAsIOException("open lock file", path);
        int operation = FileCalls.LOCK_EX | (wait ? 0 : FileCalls.LOCK_NB);
        while (FileCalls.Flock(fd, operation) != 0)
        {
            int errno = Errno.Last;
            if (errno == Errno.EINTR)
                continue;
            var error = Errno.LastAsIOException("flock", path);
            FileCalls.Close(fd);
            if (!wait && errno == Errno.EWOULDBLOCK)
                return null;
            throw error;
        }
        return new FileLock(path, fd);
    }

    public void Dispose()
    {
        if (_fd < 0)
            return;
        // Closing the only descriptor releases the flock; an explicit unlock documents intent.
        FileCalls.Flock(_fd, FileCalls.LOCK_UN);
        FileCalls.Close(_fd);
        _fd = -1;
    }

    public override string ToString() => _path;
}
