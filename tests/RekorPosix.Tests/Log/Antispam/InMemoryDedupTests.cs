using RekorPosix.Log;
using RekorPosix.Log.Antispam;

namespace RekorPosix.Tests.Log.Antispam;

public class InMemoryDedupTests
{
    private static IdentityKey Key(int i) => IdentityKey.Of(BitConverter.GetBytes(i));

    [Fact]
    public async Task ARepeatWhileTheFirstIsInFlight_GetsTheSameIndex_WithoutASecondAdd()
    {
        var lru = new InMemoryDedup(16);
        var first = new TaskCompletionSource<LogIndex>();
        int adds = 0;
        var a = lru.GetOrAdd(Key(1), _ => { adds++; return first.Task; }, 0, out bool foundA);
        var b = lru.GetOrAdd(Key(1), _ => { adds++; return Task.FromResult(new LogIndex(99, false)); }, 0, out bool foundB);
        Assert.False(foundA);
        Assert.True(foundB);
        Assert.False(b.IsCompleted);
        first.SetResult(new LogIndex(7, false));
        Assert.Equal(7, (await a).Index);
        Assert.Equal(7, (await b).Index);
        Assert.Equal(1, adds);
    }

    [Fact]
    public async Task AFailedFirstAdd_FailsItsRepeats_AndIsForgottenSoARetryAddsAgain()
    {
        var lru = new InMemoryDedup(16);
        var first = new TaskCompletionSource<LogIndex>();
        var a = lru.GetOrAdd(Key(1), _ => first.Task, 0, out _);
        var b = lru.GetOrAdd(Key(1), _ => throw new InvalidOperationException("not called"), 0, out _);
        first.SetException(new PushbackException("busy"));
        await Assert.ThrowsAsync<PushbackException>(() => a);
        await Assert.ThrowsAsync<PushbackException>(() => b);
        Assert.Equal(0, lru.Count);
        var retry = lru.GetOrAdd(Key(1), _ => Task.FromResult(new LogIndex(3, false)), 0, out bool found);
        Assert.False(found);
        Assert.Equal(3, (await retry).Index);
    }

    [Fact]
    public async Task AnAddThatThrowsAtOnce_IsAFailedTask_AndIsForgotten()
    {
        var lru = new InMemoryDedup(16);
        var a = lru.GetOrAdd<int>(Key(1), _ => throw new LogStoppedException(), 0, out _);
        await Assert.ThrowsAsync<LogStoppedException>(() => a);
        Assert.Equal(0, lru.Count);
    }

    [Fact]
    public async Task ACancelledFirstAdd_IsForgotten()
    {
        var lru = new InMemoryDedup(16);
        var a = lru.GetOrAdd(Key(1), _ => Task.FromCanceled<LogIndex>(new CancellationToken(true)), 0, out _);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a);
        Assert.Equal(0, lru.Count);
    }

    [Fact]
    public async Task WhenFull_TheLeastRecentlyUsedIsEvicted()
    {
        var lru = new InMemoryDedup(3);
        for (int i = 0; i < 3; i++)
            await lru.GetOrAdd(Key(i), s => Task.FromResult(new LogIndex(s, false)), i, out _);
        // Touch 0, so 1 is now the oldest.
        _ = lru.GetOrAdd(Key(0), _ => throw new InvalidOperationException(), 0, out bool touched);
        Assert.True(touched);
        await lru.GetOrAdd(Key(3), s => Task.FromResult(new LogIndex(s, false)), 3, out _);
        Assert.Equal(3, lru.Count);
        foreach (int kept in new[] { 0, 2, 3 })
        {
            _ = lru.GetOrAdd(Key(kept), _ => throw new InvalidOperationException(), 0, out bool found);
            Assert.True(found, $"{kept} should still be cached");
        }
        var again = lru.GetOrAdd(Key(1), _ => Task.FromResult(new LogIndex(42, false)), 0, out bool foundEvicted);
        Assert.False(foundEvicted);
        Assert.Equal(42, (await again).Index);
    }

    [Fact]
    public async Task AFailureOfAnEvictedFirstAdd_DoesNotForgetItsSuccessor()
    {
        var lru = new InMemoryDedup(1);
        var first = new TaskCompletionSource<LogIndex>();
        var a = lru.GetOrAdd(Key(1), _ => first.Task, 0, out _);
        await lru.GetOrAdd(Key(2), _ => Task.FromResult(new LogIndex(0, false)), 0, out _);
        await lru.GetOrAdd(Key(1), _ => Task.FromResult(new LogIndex(5, false)), 0, out bool found);
        Assert.False(found);
        first.SetException(new IOException("late failure"));
        await Assert.ThrowsAsync<IOException>(() => a);
        var repeat = lru.GetOrAdd(Key(1), _ => throw new InvalidOperationException(), 0, out bool stillThere);
        Assert.True(stillThere);
        Assert.Equal(5, (await repeat).Index);
    }

    [Fact]
    public async Task ManyThreadsAddingTheSameIdentities_StartOneAddEach()
    {
        var lru = new InMemoryDedup(1000);
        int adds = 0;
        var tasks = new List<Task<LogIndex>>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                var t = lru.GetOrAdd(Key(i), s => { Interlocked.Increment(ref adds); return Task.FromResult(new LogIndex(s, false)); }, i, out _);
                lock (tasks)
                    tasks.Add(t);
            }
        })));
        Assert.Equal(200, adds);
        foreach (var t in tasks)
            await t;
    }
}
