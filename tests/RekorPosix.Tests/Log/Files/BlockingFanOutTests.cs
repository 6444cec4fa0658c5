using RekorPosix.Log.Files;

namespace RekorPosix.Tests.Log.Files;

public class BlockingFanOutTests
{
    [Fact]
    public void For_CallsTheBodyOnceForEveryIndex()
    {
        var calls = new int[50];
        BlockingFanOut.For(calls.Length, i => Interlocked.Increment(ref calls[i]));
        Assert.All(calls, c => Assert.Equal(1, c));
    }

    [Fact]
    public void For_RunsItemsAtOnce_OnThreadsOtherThanThePool()
    {
        // Four items that can only finish together: they must run at the same time. Called from a
        // thread of its own (xunit's is a pool thread, which takes its share of the items).
        using var barrier = new Barrier(4);
        var met = new bool[4];
        var onPool = new bool[4];
        var caller = new Thread(() => BlockingFanOut.For(4, i =>
        {
            onPool[i] = Thread.CurrentThread.IsThreadPoolThread;
            met[i] = barrier.SignalAndWait(TimeSpan.FromSeconds(30));
        }));
        caller.Start();
        caller.Join();
        Assert.All(met, Assert.True);
        Assert.All(onPool, Assert.False);
    }

    [Fact]
    public void For_FinishesEvenWhenEveryHelperIsBusy()
    {
        // Hold every helper thread; the caller must still get through its own call alone.
        using var release = new ManualResetEventSlim();
        using var holding = new CountdownEvent(7);
        var blocker = new Thread(() => BlockingFanOut.For(8, i =>
        {
            if (i < 7)
            {
                holding.Signal();
                release.Wait();
            }
        }));
        blocker.Start();
        try
        {
            Assert.True(holding.Wait(TimeSpan.FromSeconds(30)));
            int done = 0;
            BlockingFanOut.For(5, _ => Interlocked.Increment(ref done));
            Assert.Equal(5, done);
        }
        finally
        {
            release.Set();
            blocker.Join();
        }
    }

    [Fact]
    public void For_RethrowsTheFailure_OnlyAfterEveryItemEnded()
    {
        int finished = 0;
        var e = Assert.Throws<IOException>(() => BlockingFanOut.For(6, i =>
        {
            if (i == 2)
                throw new IOException("disk full");
            Thread.Sleep(20);
            Interlocked.Increment(ref finished);
        }));
        Assert.Equal("disk full", e.Message);
        Assert.Equal(5, finished);
    }

    [Fact]
    public void For_WithNoItems_DoesNothing()
    {
        BlockingFanOut.For(0, _ => throw new InvalidOperationException("not called"));
    }
}
