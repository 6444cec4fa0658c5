using System.Diagnostics;
using RekorPosix.Log.Files;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Files;

public class FileLockTests
{
    [Fact]
    public void ASecondHandleInTheSameProcess_IsExcluded()
    {
        using var dir = new TempDir();
        string path = dir["treeState.lock"];
        using (FileLock.Acquire(path))
        {
            Assert.Null(FileLock.TryAcquire(path));
        }
        using var again = FileLock.TryAcquire(path);
        Assert.NotNull(again);
    }

    [Fact]
    public void AnotherProcess_IsExcludedWhileHeld()
    {
        using var dir = new TempDir();
        string path = dir["treeState.lock"];
        using (FileLock.Acquire(path))
        {
            Assert.Equal(1, RunFlockNonBlocking(path));
        }
        Assert.Equal(0, RunFlockNonBlocking(path));
    }

    [Fact]
    public async Task Acquire_WaitsForTheHolder()
    {
        using var dir = new TempDir();
        string path = dir["l"];
        var held = FileLock.Acquire(path);
        var waiter = Task.Run(() => { using var l = FileLock.Acquire(path); return true; });
        await FlockWaiters.WaitUntilBlockedAsync(path, waiter, "a second Acquire");
        held.Dispose();
        Assert.True(await waiter.WaitAsync(HangGuard.Timeout));
    }

    /// <summary>util-linux flock(1) with -n: exit 1 when the lock is taken elsewhere.</summary>
    private static int RunFlockNonBlocking(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("flock", ["-n", "-E", "1", path, "true"]))!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
