using RekorPosix.Http;

namespace RekorPosix.Tests.Http;

public class PendingWritesTests
{
    [Fact]
    public void TheWriteBeyondTheLimit_IsRefused_AndALeavingWriteMakesRoom()
    {
        var pending = new PendingWrites(2);
        Assert.True(pending.TryEnter());
        Assert.True(pending.TryEnter());
        Assert.False(pending.TryEnter());
        Assert.Equal(2, pending.Count);
        pending.Exit();
        Assert.True(pending.TryEnter());
        Assert.Equal(2, pending.Count);
    }

    [Fact]
    public void NoLimit_CountsEveryWrite()
    {
        var pending = new PendingWrites(0);
        for (int i = 0; i < 10_000; i++)
            Assert.True(pending.TryEnter());
        Assert.Equal(10_000, pending.Count);
    }

    [Fact]
    public async Task ManyThreadsAtOnce_NeverGetMoreThanTheLimitIn()
    {
        var pending = new PendingWrites(5);
        int inside = 0, most = 0, refused = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                if (!pending.TryEnter())
                {
                    Interlocked.Increment(ref refused);
                    continue;
                }
                int now = Interlocked.Increment(ref inside);
                int seen;
                while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
                {
                }
                Interlocked.Decrement(ref inside);
                pending.Exit();
            }
        })));
        Assert.InRange(most, 1, 5);
        Assert.Equal(0, pending.Count);
    }
}
