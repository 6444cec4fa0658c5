using RekorPosix.Log;

namespace RekorPosix.Tests.Support;

/// <summary>An <see cref="ITransparencyLog"/> whose behaviour a test sets, for error paths a real
/// log cannot be pushed into on demand (pushback, a checkpoint that never comes).</summary>
public sealed class FakeLog : ITransparencyLog
{
    public Func<ReadOnlyMemory<byte>, CancellationToken, Task<long>> Add { get; init; } = (_, _) => Task.FromResult(0L);

    public Func<long, CancellationToken, Task<PublishedCheckpoint>> Await { get; init; } =
        (_, cancel) => Task.Delay(Timeout.Infinite, cancel).ContinueWith<PublishedCheckpoint>(_ => throw new OperationCanceledException(cancel), TaskScheduler.Default);

    public Task<long> AddAsync(ReadOnlyMemory<byte> entry, CancellationToken cancel) => Add(entry, cancel);

    public Task<PublishedCheckpoint> AwaitPublicationAsync(long index, CancellationToken cancel) => Await(index, cancel);

    public PublishedCheckpoint? LatestCheckpoint => null;

    public ILogReader Reader => throw new NotSupportedException("the fake log has no tiles");

    public Task ShutdownAsync(CancellationToken cancel) => Task.CompletedTask;
}
