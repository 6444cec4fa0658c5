using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

/// <summary>
/// The append lifecycle over a driver whose integration is separate from sequencing
/// (<see cref="MemoryDriver"/>): an Add resolves once sequenced, a publication only once the entry
/// is integrated and a checkpoint covers it, and neither a failing integration nor a slow
/// checkpoint maker loses or holds up entries.
/// </summary>
public sealed class AppendLifecycleTests
{
    private static readonly Lazy<CheckpointSigner> s_signer = new(TestLogKey.Signer);

    private static readonly AppendOptions Fast = new()
    {
        BatchMaxSize = 8,
        BatchMaxAge = TimeSpan.FromMilliseconds(5),
        CheckpointInterval = AppendOptions.MinCheckpointInterval,
        RepublishInterval = TimeSpan.FromMinutes(1),
    };

    /// <summary>Publishes the first checkpoint at start and then none until shutdown.</summary>
    private static readonly AppendOptions Hourly = Fast with
    {
        CheckpointInterval = TimeSpan.FromHours(1),
        RepublishInterval = TimeSpan.FromHours(1),
    };

    private static CheckpointSigner Signer => s_signer.Value;

    [Fact]
    public async Task Add_ResolvesWithContiguousIndices_OfTheEntriesAdded()
    {
        var store = new MemoryStore();
        await using var log = await StartAsync(store, Fast);
        var entries = Enumerable.Range(0, 40).Select(i => Encoding.UTF8.GetBytes($"contiguous-{i}")).ToList();
        long[] indices = await Guard(Task.WhenAll(entries.Select(e => log.AddAsync(e, CancellationToken.None))));

        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), indices.Order());
        await Guard(log.AwaitPublicationAsync(indices.Max(), CancellationToken.None));
        for (int i = 0; i < entries.Count; i++)
            Assert.Equal(entries[i], await ReadEntryAsync(log.Reader, indices[i], store.Integrated.Size));
    }

    [Fact]
    public async Task AwaitPublication_ResolvesOnlyOnceTheEntryIsIntegratedAndPublished()
    {
        var store = new MemoryStore();
        await using var log = await StartAsync(store, Fast);
        byte[] entry = Encoding.UTF8.GetBytes("awaited");
        Task<PublishedCheckpoint> published;
        long index;
        using (store.HoldIntegrationLock())
        {
            index = await Guard(log.AddAsync(entry, CancellationToken.None));
            published = log.AwaitPublicationAsync(index, CancellationToken.None);
            // Sequenced, and nothing can integrate it while the lock is held: no checkpoint covers it.
            Assert.Equal(1, store.PendingEntries);
            Assert.False(published.IsCompleted, "a publication resolved for an entry not integrated");
        }
        var checkpoint = await Guard(published);

        Assert.True(checkpoint.Size > index);
        Signer.CheckSameLog(checkpoint);
        Assert.True(store.Integrated.Size >= checkpoint.Size, "the checkpoint is ahead of the integrated tree");
        var proofs = new ProofBuilder(checkpoint.Size);
        await StoredTreeCheck.SupplyAsync(log.Reader, proofs, p => p.Inclusion(index), CancellationToken.None);
        Assert.True(MerkleProof.VerifyInclusion(Rfc6962.LeafHash(entry), index, checkpoint.Size, proofs.Inclusion(index), checkpoint.Body().RootHash),
            "the published checkpoint does not include the entry");
    }

    [Fact]
    public async Task Integrated_FiresWithTheNewSize_AfterIntegration()
    {
        var store = new MemoryStore();
        await using var log = await StartAsync(store, Fast);
        var sizes = new List<long>();
        log.Integrated += size =>
        {
            lock (sizes)
                sizes.Add(size);
        };
        using (store.HoldIntegrationLock())
        {
            await Guard(Task.WhenAll(Enumerable.Range(0, 5).Select(i => log.AddAsync(Encoding.UTF8.GetBytes($"event-{i}"), CancellationToken.None))));
            Assert.Equal(5, store.PendingEntries);
            lock (sizes)
                Assert.Empty(sizes);
        }
        await Eventually.True(() => { lock (sizes) return sizes.Count > 0; }, "the Integrated event fired");
        lock (sizes)
            Assert.Equal(new long[] { 5 }, sizes);
        Assert.Equal(5, log.IntegratedSize);
        Assert.Equal(5, store.Integrated.Size);

        await Guard(log.AddAsync(Encoding.UTF8.GetBytes("event-5"), CancellationToken.None));
        await Eventually.True(() => { lock (sizes) return sizes.Count == 2; }, "the Integrated event fired again");
        lock (sizes)
            Assert.Equal(new long[] { 5, 6 }, sizes);
    }

    [Fact]
    public async Task IntegrationThatFails_IsRetried_AndTheEntryIsPublished()
    {
        var store = new MemoryStore { FailIntegrationAfterWritingTiles = true };
        await using var log = await StartAsync(store, Fast);
        byte[] entry = Encoding.UTF8.GetBytes("retried");
        long index = await Guard(log.AddAsync(entry, CancellationToken.None));
        var checkpoint = await Guard(log.AwaitPublicationAsync(index, CancellationToken.None));

        Assert.Equal(1, store.CrashesFired);
        Assert.False(store.FailIntegrationAfterWritingTiles);
        Assert.True(checkpoint.Size > index);
        Assert.Equal(entry, await ReadEntryAsync(log.Reader, index, checkpoint.Size));
    }

    [Fact]
    public async Task SlowCheckpointMaker_DoesNotStopAddsFromResolving()
    {
        var store = new MemoryStore();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CheckpointMaker slow = async (head, current, cancel) =>
        {
            // The first checkpoint, at start, is made at once; every later one waits for the test.
            if (head.Size > 0)
            {
                entered.TrySetResult();
                await release.Task.WaitAsync(cancel);
            }
            return Signer.Sign(head);
        };
        await using var log = await StartAsync(store, Fast, slow);
        try
        {
            long first = await Guard(log.AddAsync(Encoding.UTF8.GetBytes("slow-0"), CancellationToken.None));
            await Guard(entered.Task);
            long[] more = await Guard(Task.WhenAll(Enumerable.Range(1, 20).Select(i => log.AddAsync(Encoding.UTF8.GetBytes($"slow-{i}"), CancellationToken.None))));
            Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), more.Order());
            Assert.Equal(0, first);
            await Eventually.True(() => store.Integrated.Size == 21, "everything added was integrated");
            // The only publisher is still in the maker: nothing newer than the first checkpoint.
            Assert.Equal(0, PublishedCheckpoint.FromNote((await log.Reader.ReadCheckpointAsync(CancellationToken.None))!).Size);
        }
        finally
        {
            release.TrySetResult();
        }
        var checkpoint = await Guard(log.AwaitPublicationAsync(20, CancellationToken.None));
        Assert.Equal(21, checkpoint.Size);
    }

    [Fact]
    public async Task Shutdown_PublishesACheckpointCoveringEverythingAdded()
    {
        var store = new MemoryStore();
        var log = await StartAsync(store, Hourly);
        await using (log)
        {
            long[] indices = await Guard(Task.WhenAll(Enumerable.Range(0, 30).Select(i => log.AddAsync(Encoding.UTF8.GetBytes($"shutdown-{i}"), CancellationToken.None))));
            var waiting = log.AwaitPublicationAsync(indices.Max(), CancellationToken.None);
            Assert.Equal(0, PublishedCheckpoint.FromNote(store.Checkpoint!).Size);

            await Guard(log.ShutdownAsync(CancellationToken.None));
            var stored = PublishedCheckpoint.FromNote(store.Checkpoint!);
            Assert.Equal(30, stored.Size);
            Assert.Equal(store.Integrated.Root, stored.Body().RootHash);
            Assert.Equal(stored.Note, (await Guard(waiting)).Note);
            Assert.Equal(30, log.LatestCheckpoint!.Size);
            await Assert.ThrowsAsync<LogStoppedException>(() => log.AddAsync(Encoding.UTF8.GetBytes("late"), CancellationToken.None));
        }
    }

    [Fact]
    public async Task FrozenByAnotherDriver_RefusesTheNextAdd_AndHandsWaitersTheFinalCheckpoint()
    {
        var store = new MemoryStore();
        await using var log = await StartAsync(store, Hourly);
        long[] indices = await Guard(Task.WhenAll(Enumerable.Range(0, 3).Select(i => log.AddAsync(Encoding.UTF8.GetBytes($"frozen-{i}"), CancellationToken.None))));
        var waiting = log.AwaitPublicationAsync(indices.Max(), CancellationToken.None);

        await using var other = new MemoryDriver(store);
        // The lifecycle's integrator takes the integration lock now and then: freeze between two of its turns.
        var frozen = await Guard(FreezeAsync());
        Assert.Equal(3, frozen.Final.Size);

        var refused = await Assert.ThrowsAsync<LogFrozenException>(() => Guard(log.AddAsync(Encoding.UTF8.GetBytes("late"), CancellationToken.None)));
        Assert.Equal(frozen.Final.Note, refused.Final.Note);
        Assert.Equal(frozen.Final.Note, (await Guard(waiting)).Note);
        Assert.Equal(3, store.NextIndex);

        async Task<FreezeOutcome> FreezeAsync()
        {
            while (true)
            {
                if (await other.TryFreezeAsync(Signer.FinalMaker(DateTimeOffset.UtcNow), CancellationToken.None) is { } done)
                    return done;
                await Task.Delay(10);
            }
        }
    }

    private static Task<T> Guard<T>(Task<T> task) => task.WaitAsync(HangGuard.Timeout);

    private static Task Guard(Task task) => task.WaitAsync(HangGuard.Timeout);

    /// <summary>Regression (fault sweep, ENOSPC at SIGTERM): a storage failure during the final
    /// integration or publication made shutdown throw, and serve exit 1 with a stack trace. It is
    /// logged; the waiters are released with LogStoppedException; nothing more is thrown.</summary>
    [Fact]
    public async Task Shutdown_WhenTheFinalCheckpointFails_LogsIt_AndStillReleasesTheWaiters()
    {
        var store = new MemoryStore();
        int made = 0;
        CheckpointMaker failsAfterTheFirst = (head, current, cancel) =>
            Interlocked.Increment(ref made) == 1 ? Signer.Maker()(head, current, cancel) : throw new IOException("No space left on device");
        var logger = new CapturingLogger();
        var log = await Guard(AppendLifecycle.StartAsync(new MemoryDriver(store), failsAfterTheFirst, Signer.CheckSameLog, Hourly, logger));
        long index = await Guard(log.AddAsync("never published"u8.ToArray(), CancellationToken.None));
        var waiting = log.AwaitPublicationAsync(index, CancellationToken.None);

        await Guard(log.ShutdownAsync(CancellationToken.None));

        await Assert.ThrowsAsync<LogStoppedException>(() => Guard(waiting));
        Assert.Contains(logger.Lines, l => l.EventId == 110 && l.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Equal(2, made);
        await log.DisposeAsync();
    }

    private static Task<AppendLifecycle> StartAsync(MemoryStore store, AppendOptions options, CheckpointMaker? maker = null) =>
        Guard(AppendLifecycle.StartAsync(new MemoryDriver(store), maker ?? Signer.Maker(), Signer.CheckSameLog, options, NullLogger.Instance));

    private static async Task<byte[]> ReadEntryAsync(ILogReader reader, long index, long treeSize)
    {
        var address = TileMath.EntryBundleAt(index / TileMath.TileWidth, treeSize)!.Value;
        var bundle = EntryBundle.Parse(await reader.ReadEntryBundleAsync(address, CancellationToken.None));
        return bundle[(int)(index % TileMath.TileWidth)].ToArray();
    }
}
