using System.Runtime.InteropServices;
using RekorPosix.Interop;

namespace RekorPosix.Http.ReadPath;

/// <summary>
/// The file syscalls of the read path: tiles are opened relative to the log directory's own
/// descriptor (no path string per request) and measured with statx, whose layout, unlike
/// struct stat's, is the same on every architecture.
/// </summary>
internal static unsafe partial class FileCalls
{
    public const int O_RDONLY = 0;
    // A FIFO planted in the log directory must not block a worker in open().
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>Differs between architectures (bits/fcntl.h), as O_DIRECTORY does.</summary>
    public static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x20000,
        Architecture.Arm64 or Architecture.Arm => 0x8000,
        var other => throw new PlatformNotSupportedException($"no O_NOFOLLOW constant for {other}"),
    };

    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_SIZE = 0x200;
    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;

    // struct statx: 256 bytes; stx_mode is a u16 at 28, stx_size a u64 at 40 (linux/stat.h).
    public const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    private const int StatxSizeOffset = 40;

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirFd, byte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

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
