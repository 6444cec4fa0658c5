using RekorPosix.Log;

namespace RekorPosix.Tests.Support;

/// <summary>
/// The one fake <see cref="ITransparencyLog"/> of the tests: a test decides each add's answer (the
/// next scripted task from <see cref="Next"/>, or <see cref="Add"/>, or else the next index at
/// once), the wait for a checkpoint (never, unless <see cref="Await"/> says otherwise), and when the
/// log "integrates" (<see cref="RaiseIntegrated"/>). It records every entry added. For error paths
/// a real log cannot be pushed into on demand: pushback, a checkpoint that never comes.
/// </summary>
public sealed class FakeLog(MemoryLogReader? reader = null) : ITransparencyLog
{
    private long _size;
    private long _integrated;

    public Queue<Func<Task<long>>> Next { get; } = new();

    public List<byte[]> Added { get; } = [];

    public Func<ReadOnlyMemory<byte>, CancellationToken, Task<long>>? Add { get; init; }

    public Func<long, CancellationToken, Task<PublishedCheckpoint>> Await { get; init; } =
        (_, cancel) => Task.Delay(Timeout.Infinite, cancel).ContinueWith<PublishedCheckpoint>(_ => throw new OperationCanceledException(cancel), TaskScheduler.Default);

    public Task<long> AddAsync(ReadOnlyMemory<byte> entry, CancellationToken cancel)
    {
        lock (Added)
        {
            Added.Add(entry.ToArray());
            if (Add is not null)
                return Add(entry, cancel);
            return Next.TryDequeue(out var next) ? next() : Task.FromResult(_size++);
        }
    }

    public Task<PublishedCheckpoint> AwaitPublicationAsync(long index, CancellationToken cancel) => Await(index, cancel);

    public PublishedCheckpoint? LatestCheckpoint => null;

    public ILogReader Reader { get; } = reader ?? new MemoryLogReader();

    public long IntegratedSize => Interlocked.Read(ref _integrated);

    public event Action<long>? Integrated;

    /// <summary>Tells listeners (the dedup follower) that the log now has <paramref name="size"/> entries integrated.</summary>
    public void RaiseIntegrated(long size)
    {
        Interlocked.Exchange(ref _integrated, size);
        Integrated?.Invoke(size);
    }

    public Task ShutdownAsync(CancellationToken cancel) => Task.CompletedTask;
}
