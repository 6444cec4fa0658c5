using System.Runtime.InteropServices;

namespace RekorPosix.Interop;

/// <summary>
/// The errno values this program tells apart, each declared once. Linux takes them from
/// asm-generic/errno-base.h and asm-generic/errno.h on both x86-64 and arm64, so unlike some
/// open(2) flags they need no per-architecture switch.
/// </summary>
internal static class Errno
{
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;
    /// <summary>A signal interrupted the call before it did anything: try again.</summary>
    public const int EINTR = 4;
    /// <summary>The call would block on a non-blocking descriptor.</summary>
    public const int EAGAIN = 11;
    /// <summary>The name flock(2) gives EAGAIN for a lock held elsewhere (same value, errno.h).</summary>
    public const int EWOULDBLOCK = EAGAIN;
    /// <summary>Out of kernel memory.</summary>
    public const int ENOMEM = 12;
    /// <summary>The target exists already (link(2) never replaces it).</summary>
    public const int EEXIST = 17;
    /// <summary>A component of the path is not a directory.</summary>
    public const int ENOTDIR = 20;
    /// <summary>The system-wide limit on open files is reached.</summary>
    public const int ENFILE = 23;
    /// <summary>This process's limit on open descriptors is reached.</summary>
    public const int EMFILE = 24;
    /// <summary>Too many symlinks, or (with O_NOFOLLOW) a symlink as the last component.</summary>
    public const int ELOOP = 40;
    /// <summary>No buffer space for the socket.</summary>
    public const int ENOBUFS = 105;

    /// <summary>The errno the last libc call left (every import here sets SetLastError).</summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>The errno of the last failed call, as an IOException that names the operation
    /// and the path and carries the errno as its HResult.</summary>
    public static IOException LastAsIOException(string operation, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        string message = Marshal.GetPInvokeErrorMessage(errno);
        return new IOException($"{operation} {path}: {message} (errno {errno})", errno);
    }
}
