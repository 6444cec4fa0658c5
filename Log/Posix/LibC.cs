using System.Runtime.InteropServices;

namespace RekorPosix.Log.Posix;

/// <summary>
/// The few filesystem syscalls the BCL does not offer: opening and fsyncing a directory,
/// blocking flock, hard links and a plain rename. Declared here rather than through
/// Mono.Posix or NSec so that the published binary stays a single file.
/// </summary>
internal static partial class LibC
{
    public const int O_RDONLY = 0;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>O_DIRECTORY differs between architectures (bits/fcntl.h): a wrong value makes
    /// open() fail on a directory and the fsync silently never happen.</summary>
    public static readonly int O_DIRECTORY = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x10000,
        Architecture.Arm64 or Architecture.Arm => 0x4000,
        var other => throw new PlatformNotSupportedException($"no O_DIRECTORY constant for {other}"),
    };

    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    /// <summary>fsync of an open file. FileStream.Flush(flushToDisk: true) is no substitute: it
    /// returns normally when fsync fails (seen with .NET 10.0.12: EIO, ENOSPC and EDQUOT injected
    /// with strace), which would let a file whose data never reached the disk be renamed into place.</summary>
    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(SafeHandle file);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string oldPath, string newPath);
}
