using System.Text;
using RekorPosix.Log;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

/// <summary>
/// What every <see cref="ILogDriver"/> must do, whichever storage it keeps the log in: each
/// subclass gives drivers over one storage of its own and passes every fact here. A driver whose
/// sequencing integrates (POSIX) and one that integrates apart (the cloud drivers, and
/// <see cref="MemoryDriver"/>) answer the same: nothing here assumes when integration happens,
/// only that <see cref="ILogDriver.IntegrateAsync"/> has happened before reading.
/// </summary>
public abstract class DriverContractTests : IDisposable
{
    private static readonly Lazy<CheckpointSigner> s_signer = new(TestLogKey.Signer);

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly List<ILogDriver> _drivers = [];

    /// <summary>A new driver over this test's storage, not opened yet; a second call is another
    /// process on the same storage, or the same one after a restart.</summary>
    protected abstract ILogDriver Open();

    /// <summary>The process running <paramref name="driver"/> dies: nothing more is called on it,
    /// and it holds no lock afterwards.</summary>
    protected abstract void Crash(ILogDriver driver);

    /// <summary>Holds the storage's integration lock as another writer would, until disposed.</summary>
    protected abstract IDisposable HoldIntegrationLock();

    /// <summary>True when the storage holds an object at exactly this path (no full-tile fallback).</summary>
    protected abstract bool Holds(string path);

    /// <summary>Replaces the object at the path, as damage from outside the driver.</summary>
    protected abstract void Overwrite(string path, byte[] data);

    /// <summary>Bundles one <see cref="ILogDriver.CollectGarbageAsync"/> call works through at most.</summary>
    protected abstract int GcBundlesPerCall { get; }

    protected static CheckpointSigner Signer => s_signer.Value;

    protected static CancellationToken None => CancellationToken.None;

    public void Dispose()
    {
        foreach (var driver in _drivers)
            driver.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Cleanup();
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes the storage; the drivers are disposed by then.</summary>
    protected virtual void Cleanup()
    {
    }

    // ---- contiguous indices ----

    [Fact]
    public async Task Open_FreshStorage_ReturnsTheEmptyTree()
    {
        var driver = Tracked();
        var head = await Guard(driver.OpenAsync(None));
        Assert.True(head.SameAs(TreeHead.Empty), $"a fresh log opened at size {head.Size}");
        Assert.Null(await driver.Reader.ReadCheckpointAsync(None));
        Assert.Equal(0, await driver.Reader.ReadIntegratedSizeAsync(None));
    }

    [Fact]
    public async Task Sequence_AssignsContiguousIndices_AcrossBatches()
    {
        var driver = await OpenedAsync();
        var all = new List<byte[]>();
        foreach (int count in new[] { 1, 7, 255, 256, 3 })
        {
            long first = await Guard(driver.SequenceAsync(Entries($"batch{count}", count, all), None));
            Assert.Equal(all.Count - count, first);
        }
        var head = await Guard(driver.IntegrateAsync(None));
        await AssertLogHoldsAsync(driver, head, all);
    }

    [Fact]
    public async Task Sequence_AssignsContiguousIndices_AcrossRestarts()
    {
        var all = new List<byte[]>();
        for (int run = 0; run < 3; run++)
        {
            var driver = await OpenedAsync();
            Assert.Equal(all.Count, (await Guard(driver.IntegrateAsync(None))).Size);
            for (int batch = 0; batch < 2; batch++)
            {
                long first = await Guard(driver.SequenceAsync(Entries($"run{run}-{batch}", 100 + run, all), None));
                Assert.Equal(all.Count - 100 - run, first);
            }
            await Guard(driver.IntegrateAsync(None));
            await driver.DisposeAsync();
        }
        var last = await OpenedAsync();
        await AssertLogHoldsAsync(last, await Guard(last.IntegrateAsync(None)), all);
    }

    [Fact]
    public async Task Sequence_FromTwoDriversOnTheSameStorage_AssignsEveryIndexOnce()
    {
        var drivers = new[] { await OpenedAsync(), await OpenedAsync() };
        var batches = Enumerable.Range(0, 24)
            .Select(i => Enumerable.Range(0, 1 + i % 9).Select(j => Encoding.UTF8.GetBytes($"two-{i}-{j}")).ToArray())
            .ToList();
        var sequenced = await Guard(Task.WhenAll(batches.Select((batch, i) => Task.Run(async () =>
            (First: await drivers[i % 2].SequenceAsync([.. batch.Select(e => (ReadOnlyMemory<byte>)e)], None), Batch: batch)))));

        long next = 0;
        var all = new List<byte[]>();
        foreach (var (first, batch) in sequenced.OrderBy(s => s.First))
        {
            Assert.Equal(next, first);
            next += batch.Length;
            all.AddRange(batch);
        }
        // Either driver integrates what both sequenced.
        var head = await Guard(drivers[1].IntegrateAsync(None));
        Assert.True(head.SameAs(await Guard(drivers[0].IntegrateAsync(None))));
        await AssertLogHoldsAsync(drivers[0], head, all);
    }

    // ---- sequenced entries become readable ----

    [Fact]
    public async Task Integrate_MakesSequencedEntriesReadable_WithProofsToItsRoot()
    {
        var driver = await OpenedAsync();
        var all = new List<byte[]>();
        await Guard(driver.SequenceAsync(Entries("a", 3, all), None));
        var small = await Guard(driver.IntegrateAsync(None));
        await AssertLogHoldsAsync(driver, small, all);

        // Across a bundle and a tile boundary, in two batches integrated together.
        await Guard(driver.SequenceAsync(Entries("b", 300, all), None));
        await Guard(driver.SequenceAsync(Entries("c", 2, all), None));
        var head = await Guard(driver.IntegrateAsync(None));
        await AssertLogHoldsAsync(driver, head, all);
        var proofs = await ProofsAsync(driver.Reader, head.Size, p => p.Consistency(small.Size));
        Assert.True(MerkleProof.VerifyConsistency(small.Size, head.Size, small.Root, head.Root, proofs.Consistency(small.Size)),
            "the grown tree is no append-only extension of the first");
    }

    [Fact]
    public async Task Integrate_WithNothingPending_ReturnsTheSameHead()
    {
        var driver = await OpenedAsync();
        Assert.True((await Guard(driver.IntegrateAsync(None))).SameAs(TreeHead.Empty));
        var all = new List<byte[]>();
        await Guard(driver.SequenceAsync(Entries("once", 5, all), None));
        var head = await Guard(driver.IntegrateAsync(None));
        var again = await Guard(driver.IntegrateAsync(None));
        Assert.True(again.SameAs(head), $"integrating nothing moved the head from {head.Size} to {again.Size}");
        Assert.Equal(5, await Guard(driver.SequenceAsync(Entries("next", 1, all), None)));
        await AssertLogHoldsAsync(driver, await Guard(driver.IntegrateAsync(None)), all);
    }

    [Fact]
    public async Task Integrate_TakesWhatAnotherDriverSequenced()
    {
        var integrator = await OpenedAsync();
        var sequencer = await OpenedAsync();
        var all = new List<byte[]>();
        await Guard(sequencer.SequenceAsync(Entries("elsewhere", 260, all), None));
        var head = await Guard(integrator.IntegrateAsync(None));
        await AssertLogHoldsAsync(integrator, head, all);
        Assert.Equal(260, await Guard(integrator.SequenceAsync(Entries("here", 1, all), None)));
        await AssertLogHoldsAsync(sequencer, await Guard(sequencer.IntegrateAsync(None)), all);
    }

    // ---- publication ----

    [Fact]
    public async Task Publish_WithoutACheckpoint_WritesOneUnforced()
    {
        var driver = await OpenedAsync();
        var maker = new RecordingMaker();
        var outcome = await Guard(driver.PublishAsync(Pace(Hour, Hour), maker.Make, None));
        Assert.True(outcome.Wrote);
        Assert.Equal(0, outcome.Current!.Size);
        Assert.Equal(outcome.Current.Note, await driver.Reader.ReadCheckpointAsync(None));
        Assert.Single(maker.Calls);
        Assert.True(outcome.NextAttempt > DateTimeOffset.UtcNow, "the next attempt may come before the interval");
    }

    [Fact]
    public async Task Publish_BeforeTheIntervalElapsed_WritesNothing_AndMakesNoCheckpoint()
    {
        var driver = await OpenedAsync();
        var first = await PublishForcedAsync(driver);
        await Guard(driver.SequenceAsync(Entries("grown", 4), None));
        await Guard(driver.IntegrateAsync(None));

        var maker = new RecordingMaker();
        var pace = Pace(Hour, 2 * Hour);
        var outcome = await Guard(driver.PublishAsync(pace, maker.Make, None));
        Assert.False(outcome.Wrote);
        Assert.Empty(maker.Calls);
        Assert.Equal(first.Note, outcome.Current!.Note);
        Assert.Equal(first.Note, await driver.Reader.ReadCheckpointAsync(None));
        Assert.True(outcome.NextAttempt > pace.Now, $"next attempt {outcome.NextAttempt} is not after now {pace.Now}");
    }

    [Fact]
    public async Task Publish_Forced_WritesBeforeTheInterval()
    {
        var driver = await OpenedAsync();
        await PublishForcedAsync(driver);
        await Guard(driver.SequenceAsync(Entries("forced", 4), None));
        var head = await Guard(driver.IntegrateAsync(None));
        var outcome = await Guard(driver.PublishAsync(Pace(Hour, 2 * Hour) with { Force = true }, Signer.Maker(), None));
        Assert.True(outcome.Wrote);
        Assert.Equal(head.Size, outcome.Current!.Size);
        Assert.Equal(head.Root, outcome.Current.Body().RootHash);
        Assert.Equal(outcome.Current.Note, await driver.Reader.ReadCheckpointAsync(None));
    }

    [Fact]
    public async Task Publish_AfterTheInterval_WritesTheGrownTree()
    {
        var driver = await OpenedAsync();
        await PublishForcedAsync(driver);
        await Guard(driver.SequenceAsync(Entries("later", 9), None));
        var head = await Guard(driver.IntegrateAsync(None));
        var outcome = await Guard(driver.PublishAsync(Pace(Hour, 5 * Hour, later: 2 * Hour), Signer.Maker(), None));
        Assert.True(outcome.Wrote);
        Assert.Equal(head.Size, outcome.Current!.Size);
        Assert.Equal(outcome.Current.Note, await driver.Reader.ReadCheckpointAsync(None));
    }

    [Fact]
    public async Task Publish_UnchangedTree_IsRepublishedOnlyAfterTheRepublishInterval()
    {
        var driver = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("still", 3), None));
        await Guard(driver.IntegrateAsync(None));
        var maker = new RecordingMaker();
        var first = (await Guard(driver.PublishAsync(Pace(Hour, 5 * Hour) with { Force = true }, maker.Make, None))).Current!;

        var early = await Guard(driver.PublishAsync(Pace(Hour, 5 * Hour, later: 2 * Hour), maker.Make, None));
        Assert.False(early.Wrote, "an unchanged tree was re-signed before the republish interval");
        Assert.Equal(first.Note, await driver.Reader.ReadCheckpointAsync(None));

        var late = await Guard(driver.PublishAsync(Pace(Hour, 5 * Hour, later: 6 * Hour), maker.Make, None));
        Assert.True(late.Wrote, "an unchanged tree was not re-signed after the republish interval");
        Assert.Equal(2, maker.Calls.Count);
        Assert.Equal(3, late.Current!.Size);
        Assert.NotEqual(first.Note, late.Current.Note);
        Assert.Equal(late.Current.Note, await driver.Reader.ReadCheckpointAsync(None));
        Assert.Equal(first.Note, maker.Calls[1].Current!.Note);
    }

    [Fact]
    public async Task Publish_ReportsTheCheckpointAnotherDriverPublished()
    {
        var publisher = await OpenedAsync();
        var other = await OpenedAsync();
        await Guard(publisher.SequenceAsync(Entries("theirs", 6), None));
        await Guard(publisher.IntegrateAsync(None));
        var theirs = await PublishForcedAsync(publisher);
        Assert.Equal(6, theirs.Size);

        var maker = new RecordingMaker();
        var outcome = await Guard(other.PublishAsync(Pace(Hour, 2 * Hour), maker.Make, None));
        Assert.False(outcome.Wrote, "the other driver published before the shared interval elapsed");
        Assert.Empty(maker.Calls);
        Assert.Equal(theirs.Note, outcome.Current!.Note);
        Assert.Equal(theirs.Note, await other.Reader.ReadCheckpointAsync(None));
    }

    /// <summary>
    /// A publication attempt that waits for the publication lock while another driver publishes
    /// reports the checkpoint that one stored, not what it read before it waited: the caller
    /// hands it to the requests waiting for a checkpoint. (Two aws servers whose publishers woke
    /// at the same second kept reporting the older one, so one server's requests went unanswered
    /// until it published itself, seconds later.)
    /// </summary>
    [Fact]
    public virtual async Task Publish_AfterWaitingForAnotherDriversPublication_ReportsItsCheckpoint()
    {
        var (other, before, slow, publishing) = await StartHeldPublicationAsync();
        var maker = new RecordingMaker();
        Task<Publication> waiting;
        try
        {
            Assert.Equal(4, (await Guard(slow.Entered)).Size);
            waiting = Task.Run(() => other.PublishAsync(Pace(Hour, 2 * Hour), maker.Make, None));
            // Time for the other attempt to read what it reads before it waits for the lock.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.False(waiting.IsCompleted, "the other attempt ended while the publication lock was held");
        }
        finally
        {
            slow.Release();
        }
        var theirs = (await Guard(publishing)).Current!;
        var outcome = await Guard(waiting);
        Assert.False(outcome.Wrote, "the waiting attempt published within the interval");
        Assert.Empty(maker.Calls);
        Assert.NotEqual(before.Note, theirs.Note);
        Assert.Equal(theirs.Note, outcome.Current!.Note);
    }

    [Fact]
    public async Task Publish_GivesTheMakerTheIntegratedHead_AndTheCurrentCheckpoint()
    {
        var driver = await OpenedAsync();
        var maker = new RecordingMaker();
        await Guard(driver.PublishAsync(Pace(Hour, Hour) with { Force = true }, maker.Make, None));
        var all = new List<byte[]>();
        await Guard(driver.SequenceAsync(Entries("head", 17, all), None));
        var head = await Guard(driver.IntegrateAsync(None));
        await Guard(driver.PublishAsync(Pace(Hour, Hour) with { Force = true }, maker.Make, None));

        Assert.Equal(2, maker.Calls.Count);
        Assert.True(maker.Calls[0].Head.SameAs(TreeHead.Empty));
        Assert.Null(maker.Calls[0].Current);
        Assert.True(maker.Calls[1].Head.SameAs(head), $"the maker got size {maker.Calls[1].Head.Size}, integrated is {head.Size}");
        Assert.Equal(RootOf(all), maker.Calls[1].Head.Root);
        Assert.Equal(maker.Notes[0], maker.Calls[1].Current!.Note);
    }

    [Fact]
    public async Task Publish_RefusesANoteForAnotherTree_AndStoresNothing()
    {
        var driver = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("right", 5), None));
        await Guard(driver.IntegrateAsync(None));
        var stored = await PublishForcedAsync(driver);
        await Guard(driver.SequenceAsync(Entries("more", 2), None));
        var head = await Guard(driver.IntegrateAsync(None));

        CheckpointMaker wrongSize = (h, _, _) => Task.FromResult(Signer.Sign(new TreeHead(h.Size - 1, h.Root)));
        CheckpointMaker wrongRoot = (h, _, _) => Task.FromResult(Signer.Sign(new TreeHead(h.Size, stored.Body().RootHash)));
        foreach (var wrong in new[] { wrongSize, wrongRoot })
        {
            await Assert.ThrowsAnyAsync<Exception>(() => Guard(driver.PublishAsync(Pace(Hour, Hour) with { Force = true }, wrong, None)));
            Assert.Equal(stored.Note, await driver.Reader.ReadCheckpointAsync(None));
        }
        // The refusal left the publication lock free and the pace as it was.
        var outcome = await Guard(driver.PublishAsync(Pace(Hour, Hour) with { Force = true }, Signer.Maker(), None));
        Assert.Equal(head.Size, outcome.Current!.Size);
    }

    [Fact]
    public async Task Publish_SlowMaker_DoesNotHoldUpSequencingOrIntegration()
    {
        var driver = await OpenedAsync();
        var other = await OpenedAsync();
        var all = new List<byte[]>();
        await Guard(driver.SequenceAsync(Entries("before", 5, all), None));
        var signed = await Guard(driver.IntegrateAsync(None));

        var slow = new HeldMaker();
        var publishing = Task.Run(() => driver.PublishAsync(Pace(Hour, Hour) with { Force = true }, slow.Make, None));
        try
        {
            Assert.True((await Guard(slow.Entered)).SameAs(signed));
            // While the maker waits: this driver and another one sequence, and both integrate.
            Assert.Equal(5, await Guard(driver.SequenceAsync(Entries("during", 3, all), None)));
            Assert.Equal(8, await Guard(other.SequenceAsync(Entries("elsewhere", 2, all), None)));
            var grown = await Guard(driver.IntegrateAsync(None));
            Assert.Equal(10, grown.Size);
            Assert.Equal(10, (await Guard(other.IntegrateAsync(None))).Size);
            await AssertLogHoldsAsync(other, grown, all);
            Assert.False(publishing.IsCompleted, "the publication finished before its maker was released");
        }
        finally
        {
            slow.Release();
        }
        var outcome = await Guard(publishing);
        Assert.True(outcome.Wrote);
        Assert.Equal(5, outcome.Current!.Size);
        Assert.Equal(outcome.Current.Note, await driver.Reader.ReadCheckpointAsync(None));
    }

    // ---- garbage collection ----

    [Fact]
    public async Task CollectGarbage_KeepsThePartialsThePublishedSizeImplies_AndDeletesObsoleteOnes()
    {
        var driver = await OpenedAsync();
        var all = new List<byte[]>();
        await Guard(driver.SequenceAsync(Entries("p", 10, all), None));
        await Guard(driver.IntegrateAsync(None));
        var at10 = await PublishForcedAsync(driver);
        var bundle10 = new TileAddress(0, 0, 10, IsEntries: true);
        var tile10 = new TileAddress(0, 0, 10);
        byte[] bundle10Bytes = (await driver.Reader.ReadEntryBundleAsync(bundle10, None)).ToArray();
        byte[] tile10Bytes = (await driver.Reader.ReadTileAsync(tile10, None)).ToArray();
        await CollectAllGarbageAsync(driver, at10.Size);
        Assert.True(Holds(bundle10.ToPath()), "GC deleted the partial bundle of the published tree");

        // The tree grows past the bundle, but the checkpoint still says 10: its partials stay.
        await Guard(driver.SequenceAsync(Entries("q", 300, all), None));
        await Guard(driver.IntegrateAsync(None));
        await CollectAllGarbageAsync(driver, at10.Size);
        Assert.True(Holds(bundle10.ToPath()), "GC deleted a partial bundle the published checkpoint implies");
        Assert.True(Holds(tile10.ToPath()), "GC deleted a partial tile the published checkpoint implies");

        var at310 = await PublishForcedAsync(driver);
        await Guard(driver.SequenceAsync(Entries("r", 10, all), None));
        var head = await Guard(driver.IntegrateAsync(None));
        await CollectAllGarbageAsync(driver, at310.Size);
        Assert.False(Holds(bundle10.ToPath()), "an obsolete partial bundle was kept");
        Assert.False(Holds(tile10.ToPath()), "an obsolete partial tile was kept");
        foreach (var implied in new[] { new TileAddress(0, 1, 54, IsEntries: true), new TileAddress(0, 1, 54), new TileAddress(1, 0, 1) })
            Assert.True(Holds(implied.ToPath()), $"GC deleted {implied.ToPath()}, which the checkpoint at 310 implies");
        foreach (var unpublished in new[] { new TileAddress(0, 1, 64, IsEntries: true), new TileAddress(0, 1, 64) })
            Assert.True(Holds(unpublished.ToPath()), $"GC deleted {unpublished.ToPath()}, integrated but not published yet");

        // What is gone is read from its full tile.
        Assert.Equal(bundle10Bytes, (await driver.Reader.ReadEntryBundleAsync(bundle10, None)).ToArray());
        Assert.Equal(tile10Bytes, (await driver.Reader.ReadTileAsync(tile10, None)).ToArray());
        Assert.Equal(at10.Body().RootHash, await StoredTreeCheck.RootAtAsync(driver.Reader, 10, None));
        await AssertLogHoldsAsync(driver, head, all);
    }

    [Fact]
    public async Task CollectGarbage_IsBoundedPerCall_AndSaysWhenMoreIsLeft()
    {
        int perCall = GcBundlesPerCall;
        var driver = await OpenedAsync();
        var all = new List<byte[]>();
        await Guard(driver.SequenceAsync(Entries("first", 10, all), None));
        await Guard(driver.IntegrateAsync(None));
        // Bundle `perCall` gets a partial of 10 before it fills: the first bundle one call leaves.
        await Guard(driver.SequenceAsync(Entries("bulk", perCall * TileMath.TileWidth, all), None));
        await Guard(driver.IntegrateAsync(None));
        await Guard(driver.SequenceAsync(Entries("last", TileMath.TileWidth - 5, all), None));
        var head = await Guard(driver.IntegrateAsync(None));
        Assert.Equal((perCall + 1) * TileMath.TileWidth + 5, head.Size);
        var published = await PublishForcedAsync(driver);

        var firstPartial = new TileAddress(0, 0, 10, IsEntries: true);
        var leftPartial = new TileAddress(0, perCall, 10, IsEntries: true);
        Assert.True(Holds(firstPartial.ToPath()) && Holds(leftPartial.ToPath()), "the partial bundles to collect were never written");

        Assert.True(await Guard(driver.CollectGarbageAsync(published.Size, None)), "a full call's worth done, yet no more reported");
        Assert.False(Holds(firstPartial.ToPath()));
        Assert.True(Holds(leftPartial.ToPath()), $"one call went beyond {perCall} bundles");
        Assert.True(Holds(new TileAddress(0, perCall, 10).ToPath()));

        Assert.False(await Guard(driver.CollectGarbageAsync(published.Size, None)), "the last bundle done, yet more reported");
        Assert.False(Holds(leftPartial.ToPath()));
        Assert.False(Holds(new TileAddress(0, perCall, 10).ToPath()));
        Assert.True(Holds(new TileAddress(0, perCall + 1, 5, IsEntries: true).ToPath()), "GC deleted the published right edge");
        Assert.False(await Guard(driver.CollectGarbageAsync(published.Size, None)));

        var entries = EntryBundle.Parse(await driver.Reader.ReadEntryBundleAsync(leftPartial, None));
        Assert.Equal(all[perCall * TileMath.TileWidth + 9], entries[9].ToArray());
    }

    // ---- reopen and resume ----

    [Fact]
    public async Task Reopen_ResumesWhereTheLogWas()
    {
        var all = new List<byte[]>();
        var before = await OpenedAsync();
        await Guard(before.SequenceAsync(Entries("kept", 270, all), None));
        var head = await Guard(before.IntegrateAsync(None));
        var published = await PublishForcedAsync(before);
        await before.DisposeAsync();

        var after = Tracked();
        var reopened = await Guard(after.OpenAsync(None));
        Assert.True(reopened.SameAs(head), $"reopened at size {reopened.Size}, closed at {head.Size}");
        Assert.Equal(published.Note, await after.Reader.ReadCheckpointAsync(None));
        Assert.Equal(head.Size, await after.Reader.ReadIntegratedSizeAsync(None));
        Assert.Equal(270, await Guard(after.SequenceAsync(Entries("resumed", 20, all), None)));
        var grown = await Guard(after.IntegrateAsync(None));
        await AssertLogHoldsAsync(after, grown, all);
        var next = await Guard(after.PublishAsync(Pace(Hour, Hour) with { Force = true }, Signer.Maker(), None));
        Assert.Equal(290, next.Current!.Size);
    }

    [Fact]
    public async Task Open_RefusesADamagedRightEdge()
    {
        var driver = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("damaged", 10), None));
        await Guard(driver.IntegrateAsync(None));
        Overwrite(new TileAddress(0, 0, 10).ToPath(), new byte[10 * Rfc6962.HashSize]);
        var error = await Assert.ThrowsAsync<LogStateException>(() => Guard(Tracked().OpenAsync(None)));
        Assert.Contains("tile/0/000.p/10", error.Message);
    }

    // ---- a frozen log ----

    [Fact]
    public async Task Freeze_RefusesSequencingAndPublishing_FromEveryDriver()
    {
        var driver = await OpenedAsync();
        var other = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("final", 5), None));
        await Guard(driver.IntegrateAsync(None));
        await PublishForcedAsync(driver);

        var outcome = await Guard(driver.TryFreezeAsync(FreezeMaker(), None));
        Assert.NotNull(outcome);
        Assert.True(outcome.Value.Wrote);
        Assert.True(FrozenCheckpoint.IsFrozen(outcome.Value.Final.Body()));
        Assert.Equal(outcome.Value.Final.Note, await driver.Reader.ReadCheckpointAsync(None));
        foreach (var refused in new[] { driver, other })
        {
            var sequencing = await Assert.ThrowsAsync<LogFrozenException>(() => Guard(refused.SequenceAsync(Entries("late", 1), None)));
            Assert.Equal(outcome.Value.Final.Note, sequencing.Final.Note);
            var publishing = await Assert.ThrowsAsync<LogFrozenException>(() =>
                Guard(refused.PublishAsync(Pace(Hour, Hour) with { Force = true }, Signer.Maker(), None)));
            Assert.Equal(outcome.Value.Final.Note, publishing.Final.Note);
        }
        Assert.Equal(5, await driver.Reader.ReadIntegratedSizeAsync(None));
        Assert.Equal(5, (await Guard(other.IntegrateAsync(None))).Size);
        Assert.Equal(outcome.Value.Final.Note, await driver.Reader.ReadCheckpointAsync(None));
    }

    [Fact]
    public async Task Freeze_Twice_LeavesTheFirstFinalCheckpoint()
    {
        var driver = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("twice", 2), None));
        await Guard(driver.IntegrateAsync(None));
        var first = await Guard(driver.TryFreezeAsync(FreezeMaker(), None));
        var maker = new RecordingMaker();
        var second = await Guard(driver.TryFreezeAsync(maker.Make, None));
        var third = await Guard(Tracked().TryFreezeAsync(maker.Make, None));

        Assert.True(first!.Value.Wrote);
        foreach (var again in new[] { second, third })
        {
            Assert.False(again!.Value.Wrote);
            Assert.Equal(first.Value.Final.Note, again.Value.Final.Note);
        }
        Assert.Empty(maker.Calls);
        Assert.Equal(first.Value.Final.Note, await driver.Reader.ReadCheckpointAsync(None));
    }

    [Fact]
    public async Task Freeze_CoversEverythingSequenced_WhenTheCheckpointLags()
    {
        var driver = await OpenedAsync();
        var all = new List<byte[]>();
        await Guard(driver.SequenceAsync(Entries("signed", 3, all), None));
        await Guard(driver.IntegrateAsync(None));
        await PublishForcedAsync(driver);
        // Sequenced and never integrated by this driver: the final checkpoint must cover it too.
        await Guard(driver.SequenceAsync(Entries("unsigned", 4, all), None));

        var outcome = await Guard(driver.TryFreezeAsync(FreezeMaker(), None));
        Assert.Equal(7, outcome!.Value.Final.Size);
        Assert.Equal(RootOf(all), outcome.Value.Final.Body().RootHash);
        await AssertLogHoldsAsync(driver, new TreeHead(7, RootOf(all)), all);
    }

    [Fact]
    public virtual async Task Freeze_WhileTheIntegrationLockIsHeld_WritesNothing()
    {
        var driver = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("busy", 3), None));
        await Guard(driver.IntegrateAsync(None));
        var published = await PublishForcedAsync(driver);
        var maker = new RecordingMaker();
        using (HoldIntegrationLock())
        {
            Assert.Null(await Guard(driver.TryFreezeAsync(maker.Make, None)));
        }
        Assert.Empty(maker.Calls);
        Assert.Equal(published.Note, await driver.Reader.ReadCheckpointAsync(None));
        Assert.Equal(3, await Guard(driver.SequenceAsync(Entries("still open", 1), None)));
    }

    [Fact]
    public async Task Open_OfAFrozenLog_Throws()
    {
        var driver = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("closed", 4), None));
        await Guard(driver.IntegrateAsync(None));
        var outcome = await Guard(driver.TryFreezeAsync(FreezeMaker(), None));
        await driver.DisposeAsync();

        var error = await Assert.ThrowsAsync<LogFrozenException>(() => Guard(Tracked().OpenAsync(None)));
        Assert.Equal(outcome!.Value.Final.Note, error.Final.Note);
        Assert.Equal(4, error.Final.Size);
    }

    // ---- crash points between sequencing and integration ----

    [Fact]
    public async Task Crash_BetweenSequencingAndIntegration_KeepsTheEntriesAtTheirIndices()
    {
        var all = new List<byte[]>();
        var crashed = await OpenedAsync();
        await Guard(crashed.SequenceAsync(Entries("integrated", 20, all), None));
        await Guard(crashed.IntegrateAsync(None));
        Assert.Equal(20, await Guard(crashed.SequenceAsync(Entries("sequenced", 250, all), None)));
        Assert.Equal(270, await Guard(crashed.SequenceAsync(Entries("sequenced2", 3, all), None)));
        Crash(crashed);

        var restarted = Tracked();
        var opened = await Guard(restarted.OpenAsync(None));
        Assert.InRange(opened.Size, 20, 273);
        var head = await Guard(restarted.IntegrateAsync(None));
        await AssertLogHoldsAsync(restarted, head, all);
        Assert.Equal(273, await Guard(restarted.SequenceAsync(Entries("after", 1, all), None)));
        await AssertLogHoldsAsync(restarted, await Guard(restarted.IntegrateAsync(None)), all);
    }

    // ---- helpers ----

    protected static Task<T> Guard<T>(Task<T> task) => task.WaitAsync(HangGuard.Timeout);

    /// <summary>A new driver, disposed with the test.</summary>
    protected ILogDriver Tracked()
    {
        var driver = Open();
        _drivers.Add(driver);
        return driver;
    }

    /// <summary>A new driver, opened.</summary>
    protected async Task<ILogDriver> OpenedAsync()
    {
        var driver = Tracked();
        await Guard(driver.OpenAsync(None));
        return driver;
    }

    /// <summary>A pace at the wall clock (plus <paramref name="later"/>): the stored checkpoint is
    /// dated by the storage's clock when it is written.</summary>
    protected static PublicationPace Pace(TimeSpan interval, TimeSpan republish, TimeSpan later = default) =>
        new(interval, republish, DateTimeOffset.UtcNow + later);

    protected static async Task<PublishedCheckpoint> PublishForcedAsync(ILogDriver driver)
    {
        var outcome = await Guard(driver.PublishAsync(Pace(Hour, Hour) with { Force = true }, Signer.Maker(), None));
        Assert.True(outcome.Wrote, "a forced publication wrote nothing");
        return outcome.Current!;
    }

    /// <summary>
    /// A publication under way whose maker is held in signing (at size 4, a checkpoint at 0
    /// published before), and a second driver over the same storage to publish meanwhile.
    /// </summary>
    protected async Task<(ILogDriver Other, PublishedCheckpoint Before, HeldMaker Slow, Task<Publication> Publishing)> StartHeldPublicationAsync()
    {
        var publisher = await OpenedAsync();
        var other = await OpenedAsync();
        var before = await PublishForcedAsync(publisher);
        await Guard(publisher.SequenceAsync(Entries("published-meanwhile", 4), None));
        await Guard(publisher.IntegrateAsync(None));
        var slow = new HeldMaker();
        var publishing = Task.Run(() => publisher.PublishAsync(Pace(Hour, Hour) with { Force = true }, slow.Make, None));
        return (other, before, slow, publishing);
    }

    protected static CheckpointMaker FreezeMaker() => Signer.FinalMaker(DateTimeOffset.UtcNow);

    protected static List<ReadOnlyMemory<byte>> Entries(string prefix, int count, List<byte[]>? all = null)
    {
        var entries = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes($"{prefix}-{i}")).ToList();
        all?.AddRange(entries);
        return entries.ConvertAll(e => (ReadOnlyMemory<byte>)e);
    }

    /// <summary>The RFC 6962 root of the entries, computed apart from any storage.</summary>
    protected static byte[] RootOf(IReadOnlyList<byte[]> entries)
    {
        var tree = TileTreeBuilder.Empty();
        if (entries.Count > 0)
            tree.Append(entries.Select(e => Rfc6962.LeafHash(e)).ToList());
        return tree.Root();
    }

    /// <summary>A proof builder for <paramref name="size"/>, given every tile <paramref name="compute"/> reads.</summary>
    protected static async Task<ProofBuilder> ProofsAsync(ILogReader reader, long size, Action<ProofBuilder> compute)
    {
        var proofs = new ProofBuilder(size);
        await StoredTreeCheck.SupplyAsync(reader, proofs, compute, None);
        return proofs;
    }

    /// <summary>The storage holds exactly <paramref name="expected"/> at its indices, its tiles give
    /// <paramref name="head"/>'s root (which is the entries' own), and every entry has a proof.</summary>
    protected static async Task AssertLogHoldsAsync(ILogDriver driver, TreeHead head, IReadOnlyList<byte[]> expected)
    {
        Assert.Equal(expected.Count, head.Size);
        Assert.Equal(RootOf(expected), head.Root);
        Assert.True(await driver.Reader.ReadIntegratedSizeAsync(None) >= head.Size, "the reader is behind the integrated head");

        var stored = new List<byte[]>();
        for (long bundle = 0; TileMath.EntryBundleAt(bundle, head.Size) is { } address; bundle++)
            stored.AddRange(EntryBundle.Parse(await driver.Reader.ReadEntryBundleAsync(address, None)).Select(e => e.ToArray()));
        Assert.Equal(expected.Count, stored.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i].AsSpan().SequenceEqual(stored[i]), $"entry {i} is {Encoding.UTF8.GetString(stored[i])}, not {Encoding.UTF8.GetString(expected[i])}");

        if (head.Size == 0)
            return;
        // Every leaf of a small tree; the edges of a large one.
        var leaves = head.Size <= 600
            ? Enumerable.Range(0, (int)head.Size).Select(i => (long)i).ToList()
            : [0, 255, 256, head.Size / 2, head.Size - 1];
        var proofs = await ProofsAsync(driver.Reader, head.Size, p =>
        {
            p.Root();
            foreach (long i in leaves)
                p.Inclusion(i);
        });
        Assert.Equal(head.Root, proofs.Root());
        foreach (long i in leaves)
        {
            Assert.True(MerkleProof.VerifyInclusion(Rfc6962.LeafHash(expected[(int)i]), i, head.Size, proofs.Inclusion(i), head.Root),
                $"no inclusion proof for entry {i} in the tree of size {head.Size}");
        }
    }

    /// <summary>A checkpoint maker that signs for the head it is given and remembers every call;
    /// each note carries its call number, so a republished one differs from the one it replaces.</summary>
    /// <summary>A maker that signs only once released, so that a test can act while a publication
    /// holds its lock; <see cref="Entered"/> gives the head it was called for.</summary>
    protected sealed class HeldMaker
    {
        private readonly TaskCompletionSource<TreeHead> _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<TreeHead> Entered => _entered.Task;

        public void Release() => _release.TrySetResult();

        public async Task<byte[]> Make(TreeHead head, PublishedCheckpoint? current, CancellationToken cancel)
        {
            _entered.TrySetResult(head);
            await _release.Task.WaitAsync(cancel);
            return Signer.Sign(head);
        }
    }

    protected sealed class RecordingMaker
    {
        private readonly object _gate = new();

        public List<(TreeHead Head, PublishedCheckpoint? Current)> Calls { get; } = [];

        public List<byte[]> Notes { get; } = [];

        public Task<byte[]> Make(TreeHead head, PublishedCheckpoint? current, CancellationToken cancel)
        {
            lock (_gate)
            {
                Calls.Add((head, current));
                byte[] note = Signer.Sign(head, [$"call {Calls.Count}"]);
                Notes.Add(note);
                return Task.FromResult(note);
            }
        }
    }

    private static async Task CollectAllGarbageAsync(ILogDriver driver, long publishedSize)
    {
        while (await Guard(driver.CollectGarbageAsync(publishedSize, None)))
        {
        }
    }
}
