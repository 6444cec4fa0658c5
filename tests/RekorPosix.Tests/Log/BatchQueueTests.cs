using RekorPosix.Log;

namespace RekorPosix.Tests.Log;

public class BatchQueueTests
{
    [Fact]
    public async Task EntriesAreIntegratedInArrivalOrder_WithContiguousIndexes_InBatchesOfAtMostMax()
    {
        var batches = new List<int>();
        long size = 0;
        var queue = new BatchQueue(batch => { lock (batches) batches.Add(batch.Count); long first = size; size += batch.Count; return first; },
            maxBatch: 4, maxAge: TimeSpan.FromSeconds(30), maxQueued: 100);
        queue.Start();
        var adds = Enumerable.Range(0, 30).Select(i => queue.Add(new byte[] { (byte)i })).ToList();
        var indexes = await Task.WhenAll(adds).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), indexes);
        Assert.All(batches, b => Assert.InRange(b, 1, 4));
        Assert.Equal(30, batches.Sum());
        queue.Stop();
    }

    [Fact]
    public async Task AQuietLog_IntegratesAtOnce_AndABusyOneMakesFullBatches()
    {
        var batches = new List<int>();
        var firstBatchHeld = new ManualResetEventSlim();
        long size = 0;
        var queue = new BatchQueue(batch =>
        {
            lock (batches) batches.Add(batch.Count);
            firstBatchHeld.Wait(); // the integrator is busy until the test lets it go
            long first = size;
            size += batch.Count;
            return first;
        }, maxBatch: 4, maxAge: TimeSpan.FromSeconds(30), maxQueued: 100);
        queue.Start();
        var lone = queue.Add(new byte[] { 0 });
        // Group commit: the lone entry does not wait for the 30 s age or for three more entries.
        for (int i = 0; i < 200 && batches.Count == 0; i++)
            await Task.Delay(10);
        Assert.Equal([1], batches);
        var busy = Enumerable.Range(1, 8).Select(i => queue.Add(new byte[] { (byte)i })).ToList();
        firstBatchHeld.Set();
        await Task.WhenAll(busy.Append(lone)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 4, 4], batches);
        queue.Stop();
    }

    [Fact]
    public async Task AFailedIntegration_FailsEveryEntryOfItsBatch_AndTheQueueGoesOn()
    {
        int calls = 0;
        var queue = new BatchQueue(batch => ++calls == 1 ? throw new IOException("disk on fire") : 0,
            maxBatch: 2, maxAge: TimeSpan.FromSeconds(30), maxQueued: 10);
        queue.Start();
        var a = queue.Add(new byte[] { 1 });
        var b = queue.Add(new byte[] { 2 });
        await Assert.ThrowsAsync<IOException>(() => a.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<IOException>(() => b.WaitAsync(TimeSpan.FromSeconds(10)));
        var c = queue.Add(new byte[] { 3 });
        var d = queue.Add(new byte[] { 4 });
        long[] indexes = await Task.WhenAll(c, d).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new long[] { 0, 1 }, indexes);
        queue.Stop();
    }

    [Fact]
    public void AFullQueue_PushesBack()
    {
        var gate = new ManualResetEventSlim();
        var queue = new BatchQueue(batch => { gate.Wait(); return 0; }, maxBatch: 2, maxAge: TimeSpan.Zero, maxQueued: 2);
        queue.Start();
        queue.Add(new byte[] { 1 });
        queue.Add(new byte[] { 2 });
        // The worker may take the first batch at once; fill until the queue itself is full.
        Assert.Throws<PushbackException>(() => { for (int i = 0; i < 10; i++) _ = queue.Add(new byte[] { 3 }); });
        gate.Set();
        queue.Stop();
    }

    [Fact]
    public async Task Stop_DrainsWhatIsQueued_ThenRefusesNewEntries()
    {
        var queue = new BatchQueue(batch => 0, maxBatch: 100, maxAge: TimeSpan.FromHours(1), maxQueued: 1000);
        queue.Start();
        var pending = queue.Add(new byte[] { 1 });
        queue.Stop();
        Assert.Equal(0, await pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Throws<LogStoppedException>(void () => _ = queue.Add(new byte[] { 2 }));
    }
}
