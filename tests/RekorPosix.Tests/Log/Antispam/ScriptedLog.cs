using RekorPosix.Log;

namespace RekorPosix.Tests.Log.Antispam;

/// <summary>A log whose adds are decided by the test: each add gets the next task from
/// <see cref="Next"/> (or, when none is queued, the next index at once).</summary>
public sealed class ScriptedLog(MemoryLogReader? reader = null) : ITransparencyLog
{
    private long _size;

    public Queue<Func<Task<long>>> Next { get; } = new();

    public List<byte[]> Added { get; } = [];

    public Task<long> AddAsync(ReadOnlyMemory<byte> entry, CancellationToken cancel)
    {
        lock (Added)
        {
            Added.Add(entry.ToArray());
            return Next.TryDequeue(out var next) ? next() : Task.FromResult(_size++);
        }
    }

    public Task<PublishedCheckpoint> AwaitPublicationAsync(long index, CancellationToken cancel) => throw new NotSupportedException();

    public PublishedCheckpoint? LatestCheckpoint => null;

    public ILogReader Reader { get; } = reader ?? new MemoryLogReader();

    public Task ShutdownAsync(CancellationToken cancel) => Task.CompletedTask;
}
