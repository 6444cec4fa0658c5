using System.Runtime.CompilerServices;

namespace RekorPosix.Tests.Support;

/// <summary>
/// The aws driver sequences synchronously, on its caller's thread (the lifecycle's own sequencer
/// thread in production), and its freeze check waits there for an S3 read whose continuation needs
/// a thread-pool thread. The contract tests call it from many pool threads at once (24 batches in
/// one test), which on two cores starves the pool: new threads come about one a second, and the
/// read outlived its 10 s budget. A floor of threads lets those tests run as production does.
/// </summary>
internal static class ThreadPoolFloor
{
    [ModuleInitializer]
    internal static void Raise()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }
}
