using RekorPosix.Log;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log;

public class PublicationAwaiterTests
{
    private static PublishedCheckpoint Checkpoint(long size) => new(size, [(byte)size]);

    [Fact]
    public async Task WaitersAreWokenExactlyWhenCovered()
    {
        var awaiter = new PublicationAwaiter();
        var index5 = awaiter.WaitAsync(5, CancellationToken.None);
        var index9 = awaiter.WaitAsync(9, CancellationToken.None);
        awaiter.Publish(Checkpoint(5));
        Assert.False(index5.IsCompleted); // size 5 covers indexes 0..4 only
        awaiter.Publish(Checkpoint(6));
        Assert.Equal(6, (await index5.WaitAsync(HangGuard.Timeout)).Size);
        Assert.False(index9.IsCompleted);
        awaiter.Publish(Checkpoint(20));
        Assert.Equal(20, (await index9.WaitAsync(HangGuard.Timeout)).Size);
    }

    [Fact]
    public async Task AnAlreadyCoveredIndex_ReturnsAtOnce_AndOlderCheckpointsAreIgnored()
    {
        var awaiter = new PublicationAwaiter();
        awaiter.Publish(Checkpoint(10));
        awaiter.Publish(Checkpoint(3));
        Assert.Equal(10, awaiter.Latest!.Size);
        Assert.Equal(10, (await awaiter.WaitAsync(9, CancellationToken.None)).Size);
    }

    [Fact]
    public async Task Cancellation_EndsTheWait()
    {
        var awaiter = new PublicationAwaiter();
        using var cancel = new CancellationTokenSource();
        var wait = awaiter.WaitAsync(0, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        awaiter.Publish(Checkpoint(1)); // completing the abandoned waiter must not throw
    }

    [Fact]
    public async Task Stop_FailsRemainingWaiters()
    {
        var awaiter = new PublicationAwaiter();
        var wait = awaiter.WaitAsync(0, CancellationToken.None);
        awaiter.Stop(new LogStoppedException());
        await Assert.ThrowsAsync<LogStoppedException>(() => wait);
        await Assert.ThrowsAsync<LogStoppedException>(() => awaiter.WaitAsync(0, CancellationToken.None));
    }
}
