using RekorPosix.Interop;

namespace RekorPosix.Log.Files;

/// <summary>An open directory file descriptor, held so that it can be fsynced after the
/// entries inside it change. The BCL cannot open a directory, hence the raw fd.</summary>
internal sealed class DirectoryHandle : IDisposable
{
    private readonly string _path;
    private int _fd;

    private DirectoryHandle(string path, int fd)
    {
        _path = path;
        _fd = fd;
    }

    public static DirectoryHandle Open(string path)
    {
        int fd = FileCalls.Open(path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
        if (fd < 0)
            throw Errno.LastAsIOException("open directory", path);
        return new DirectoryHandle(path, fd);
    }

    public void Fsync()
    {
        if (FileCalls.Fsync(_fd) != 0)
            throw Errno.LastAsIOException("fsync directory", _path);
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            FileCalls.Close(_fd);
            _fd = -1;
        }
    }
}
