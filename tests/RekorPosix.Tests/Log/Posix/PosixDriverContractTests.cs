using RekorPosix.Log.Files;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Posix;

/// <summary>The driver contract over a log directory. Two drivers over it are two processes:
/// flock excludes separate handles even within one process.</summary>
public sealed class PosixDriverContractTests : DriverContractTests
{
    private readonly TempDir _dir = new();

    private string Root => _dir["log"];

    protected override int GcBundlesPerCall => PosixStorage.MaxBundlesPerGcRun;

    protected override ILogDriver Open() => new PosixStorage(Root);

    /// <summary>A killed process: its flocks are only ever held inside a call, so dropping the
    /// instance leaves the directory as a kill would.</summary>
    protected override void Crash(ILogDriver driver)
    {
    }

    protected override IDisposable HoldIntegrationLock() =>
        FileLock.TryAcquire(new StatePaths(Root).TreeStateLock) ?? throw new InvalidOperationException("the treeState lock is held already");

    protected override bool Holds(string path) => File.Exists(Path.Combine(Root, path));

    protected override void Overwrite(string path, byte[] data) => File.WriteAllBytes(Path.Combine(Root, path), data);

    protected override void Cleanup() => _dir.Dispose();
}
