using System.Runtime.InteropServices;

namespace RekorPosix.Interop;

/// <summary>
/// The open(2)/openat(2) flags this program passes, each declared once. Most are the same on
/// every Linux architecture (asm-generic/fcntl.h); O_DIRECTORY and O_NOFOLLOW are not: arm and
/// arm64 override them in their asm/fcntl.h, so they are picked at run time.
/// </summary>
internal static class OpenFlags
{
    /// <summary>Open for reading only.</summary>
    public const int O_RDONLY = 0;
    /// <summary>Open for reading and writing.</summary>
    public const int O_RDWR = 2;
    /// <summary>Create the file if it does not exist.</summary>
    public const int O_CREAT = 0x40;
    /// <summary>Never block in open(): a FIFO planted in the log directory must not hold a worker.</summary>
    public const int O_NONBLOCK = 0x800;
    /// <summary>Close on exec: no descriptor leaks into a child process.</summary>
    public const int O_CLOEXEC = 0x80000;

    /// <summary>Fail unless the path is a directory. A wrong value makes open() fail on a
    /// directory and the fsync silently never happen.</summary>
    public static readonly int O_DIRECTORY = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x10000,
        Architecture.Arm64 or Architecture.Arm => 0x4000,
        var other => throw new PlatformNotSupportedException($"no O_DIRECTORY constant for {other}"),
    };

    /// <summary>Fail with ELOOP when the last component is a symlink; differs between
    /// architectures as O_DIRECTORY does.</summary>
    public static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x20000,
        Architecture.Arm64 or Architecture.Arm => 0x8000,
        var other => throw new PlatformNotSupportedException($"no O_NOFOLLOW constant for {other}"),
    };
}
