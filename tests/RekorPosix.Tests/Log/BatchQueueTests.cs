using RekorPosix.Log;
using RekorPosix.Tests.Support;

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
        var indexes = await Task.WhenAll(adds).WaitAsync(HangGuard.Timeout);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), indexes);
        Assert.All(batches, b => Assert.InRange(b, 1, 4));
        Assert.Equal(30, batches.Sum());
        queue.Stop();
    }

    [Fact]
    public async Task AQuietLog_IntegratesAtOnce_AndABusyOneMakesFullBatches()
    {
        var batches = new List<int>();
        var firstBatchTaken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstBatchHeld = new ManualResetEventSlim();
        long size = 0;
        var queue = new BatchQueue(batch =>
        {
            lock (batches) batches.Add(batch.Count);
            firstBatchTaken.TrySetResult();
            firstBatchHeld.Wait(); // the integrator is busy until the test lets it go
            long first = size;
            size += batch.Count;
            return first;
        }, maxBatch: 4, maxAge: TimeSpan.FromHours(1), maxQueued: 100);
        queue.Start();
        var lone = queue.Add(new byte[] { 0 });
        // Group commit: the lone entry waits neither for three more entries nor for the age, an
        // hour, far beyond the hang guard: only integrating it at once ends this wait.
        await firstBatchTaken.Task.WaitAsync(HangGuard.Timeout);
        Assert.Equal([1], batches);
        var busy = Enumerable.Range(1, 8).Select(i => queue.Add(new byte[] { (byte)i })).ToList();
        firstBatchHeld.Set();
        await Task.WhenAll(busy.Append(lone)).WaitAsync(HangGuard.Timeout);
        Assert.Equal([1, 4, 4], batches);
        queue.Stop();
    }

    [Fact]
    public async Task AFailedIntegration_FailsEveryEntryOfItsBatch_AndTheQueueGoesOn()
    {
        var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new ManualResetEventSlim();
        int calls = 0;
        long size = 0;
        var queue = new BatchQueue(batch =>
        {
            if (++calls == 1)
            {
                busy.SetResult();
                release.Wait(); // the next batch fills meanwhile
            }
            if (calls == 2)
                throw new IOException("disk on fire");
            long first = size;
            size += batch.Count;
            return first;
        }, maxBatch: 2, maxAge: TimeSpan.FromSeconds(30), maxQueued: 10);
        queue.Start();
        _ = queue.Add(new byte[] { 0 });
        await busy.Task.WaitAsync(HangGuard.Timeout);
        // Queued while the worker is busy, so they are one batch whatever the scheduler does
        // (added to an idle worker, the second could come after its 2 ms linger).
        var a = queue.Add(new byte[] { 1 });
        var b = queue.Add(new byte[] { 2 });
        release.Set();
        await Assert.ThrowsAsync<IOException>(() => a.WaitAsync(HangGuard.Timeout));
        await Assert.ThrowsAsync<IOException>(() => b.WaitAsync(HangGuard.Timeout));
        var c = queue.Add(new byte[] { 3 });
        var d = queue.Add(new byte[] { 4 });
        long[] indexes = await Task.WhenAll(c, d).WaitAsync(HangGuard.Timeout);
        Assert.Equal(new long[] { 1, 2 }, indexes);
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
        Assert.Equal(0, await pending.WaitAsync(HangGuard.Timeout));
        Assert.Throws<LogStoppedException>(void () => _ = queue.Add(new byte[] { 2 }));
    }
}
