using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace RekorPosix.Tests.Support;

/// <summary>
/// Threads of this process blocked in flock(2) on a file, as the kernel lists them in /proc/locks
/// ("->" lines, by inode). A test that holds a lock waits for this before it lets go, so that it
/// knows the other side really waited for it, however slow the machine.
/// </summary>
public static class FlockWaiters
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    // struct statx has one layout on every architecture: stx_ino is the u64 at offset 32.
    private const int StatxSize = 256;
    private const int StatxInoOffset = 32;

    /// <summary>Waits until a thread of this process is blocked on the flock of <paramref name="path"/>;
    /// fails at once if <paramref name="waiter"/> finishes first (it never waited).</summary>
    public static async Task WaitUntilBlockedAsync(string path, Task waiter, string what)
    {
        string inode = Inode(path).ToString(CultureInfo.InvariantCulture);
        await Eventually.True(() => waiter.IsCompleted || AnyWaiting(inode), $"{what} waits for the lock on {path}");
        Assert.False(waiter.IsCompleted, $"{what} finished without waiting for the lock on {path}");
    }

    /// <summary>A line like "1: -> FLOCK  ADVISORY  WRITE 4239 fe:00:11657778 0 EOF" for this process and inode.</summary>
    private static bool AnyWaiting(string inode)
    {
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (string line in File.ReadLines("/proc/locks"))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 6 && fields[1] == "->" && fields[2] == "FLOCK" && fields[5] == pid && fields[6].EndsWith(":" + inode, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static ulong Inode(string path)
    {
        var buffer = new byte[StatxSize];
        if (Statx(AtFdCwd, Encoding.UTF8.GetBytes(path + "\0"), 0, StatxIno, buffer) != 0)
            throw new IOException($"statx {path}: errno {Marshal.GetLastPInvokeError()}");
        return BitConverter.ToUInt64(buffer, StatxInoOffset);
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirFd, byte[] path, int flags, uint mask, byte[] buffer);
}
