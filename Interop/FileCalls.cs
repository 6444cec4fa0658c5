using System.Runtime.InteropServices;

namespace RekorPosix.Interop;

/// <summary>
/// The file syscalls the BCL does not offer: opening and fsyncing a directory, blocking flock,
/// hard links and a plain rename for the log's writer; openat, pread and statx for the read
/// path, which opens tiles relative to the log directory's own descriptor (no path string per
/// request) and measures them with statx, whose layout, unlike struct stat's, is the same on
/// every architecture. Declared here rather than through Mono.Posix or NSec so that the
/// published binary stays a single file. Flags for open and openat are in <see cref="OpenFlags"/>.
/// </summary>
internal static unsafe partial class FileCalls
{
    // flock(2) operations (sys/file.h).
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    // statx(2): the flag that makes it describe the descriptor itself, the fields asked for,
    // and the file-type bits of stx_mode (linux/fcntl.h, linux/stat.h).
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_SIZE = 0x200;
    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;

    // struct statx: 256 bytes; stx_mode is a u16 at 28, stx_size a u64 at 40 (linux/stat.h).
    public const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    private const int StatxSizeOffset = 40;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirFd, byte* path, int flags, int mode);

    /// <summary>close(2) of any descriptor: files and directories, but also sockets, epoll sets and eventfds.</summary>
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    /// <summary>fsync of an open file. FileStream.Flush(flushToDisk: true) is no substitute: it
    /// returns normally when fsync fails (seen with .NET 10.0.12: EIO, ENOSPC and EDQUOT injected
    /// with strace), which would let a file whose data never reached the disk be renamed into place.
    /// The reference held across the call keeps the descriptor from being closed and reused under
    /// it, as a SafeHandle parameter of the import would.</summary>
    public static int Fsync(SafeHandle file)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return Fsync((int)file.DangerousGetHandle());
        }
        finally
        {
            if (added)
                file.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int Statx(int dirFd, byte* path, int flags, uint mask, byte* buffer);

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes from offset 0; false if the file is shorter.</summary>
    public static bool ReadExactly(int fd, byte[] buffer)
    {
        int done = 0;
        fixed (byte* p = buffer)
        {
            while (done < buffer.Length)
            {
                nint n = PRead(fd, p + done, (nuint)(buffer.Length - done), done);
                if (n < 0 && Errno.Last == Errno.EINTR)
                    continue;
                if (n <= 0)
                    return false;
                done += (int)n;
            }
        }
        return true;
    }

    /// <summary>Size of an open regular file, or -1 when the descriptor is anything else.</summary>
    public static long RegularFileSize(int fd)
    {
        byte* buffer = stackalloc byte[StatxSize];
        byte empty = 0;
        if (Statx(fd, &empty, AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, buffer) != 0)
            return -1;
        int mode = *(ushort*)(buffer + StatxModeOffset);
        return (mode & S_IFMT) == S_IFREG ? *(long*)(buffer + StatxSizeOffset) : -1;
    }
}
