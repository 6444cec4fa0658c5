using RekorPosix.Log;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

/// <summary>
/// The driver contract over <see cref="MemoryDriver"/>, whose sequencing is separate from
/// integration, and the crash points only such a driver has: between storing a batch and answering,
/// and between writing an integration's tiles and moving the integrated head.
/// </summary>
public sealed class MemoryDriverContractTests : DriverContractTests
{
    // A small bound, so the bounded GC is seen with a few bundles (the POSIX driver's is 100).
    private readonly MemoryStore _store = new() { GcBundlesPerCall = 3 };

    protected override int GcBundlesPerCall => _store.GcBundlesPerCall;

    protected override ILogDriver Open() => new MemoryDriver(_store);

    protected override void Crash(ILogDriver driver) => ((MemoryDriver)driver).Crash();

    protected override IDisposable HoldIntegrationLock() => _store.HoldIntegrationLock();

    protected override bool Holds(string path) => _store.Holds(path);

    protected override void Overwrite(string path, byte[] data) => _store.Overwrite(path, data);

    [Fact]
    public async Task Sequence_LeavesEntriesPendingUntilIntegrated()
    {
        var driver = await OpenedAsync();
        var all = new List<byte[]>();
        Assert.Equal(0, await Guard(driver.SequenceAsync(Entries("pending", 4, all), None)));
        Assert.Equal(4, _store.PendingEntries);
        Assert.Equal(0, await driver.Reader.ReadIntegratedSizeAsync(None));
        Assert.Empty(_store.Paths());
        await AssertLogHoldsAsync(driver, await Guard(driver.IntegrateAsync(None)), all);
        Assert.Equal(0, _store.PendingEntries);
    }

    [Fact]
    public async Task Crash_AfterSequencing_BeforeTheAnswer_KeepsTheBatchAtItsIndices()
    {
        var all = new List<byte[]>();
        var crashed = await OpenedAsync();
        await Guard(crashed.SequenceAsync(Entries("answered", 5, all), None));
        _store.FailAfterSequencing = true;
        await Assert.ThrowsAsync<SimulatedCrashException>(() => Guard(crashed.SequenceAsync(Entries("unanswered", 7, all), None)));
        Crash(crashed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => crashed.IntegrateAsync(None));

        var restarted = await OpenedAsync();
        Assert.Equal(12, await Guard(restarted.SequenceAsync(Entries("after", 1, all), None)));
        await AssertLogHoldsAsync(restarted, await Guard(restarted.IntegrateAsync(None)), all);
        Assert.Equal(1, _store.CrashesFired);
    }

    [Fact]
    public async Task Crash_AfterWritingTiles_BeforeTheHeadMoved_IsIntegratedAgainWithTheSameBytes()
    {
        var all = new List<byte[]>();
        var crashed = await OpenedAsync();
        await Guard(crashed.SequenceAsync(Entries("committed", 10, all), None));
        var committed = await Guard(crashed.IntegrateAsync(None));
        await Guard(crashed.SequenceAsync(Entries("torn", 300, all), None));
        _store.FailIntegrationAfterWritingTiles = true;
        await Assert.ThrowsAsync<SimulatedCrashException>(() => Guard(crashed.IntegrateAsync(None)));
        Assert.True(_store.Integrated.SameAs(committed), "the head moved although integration failed");
        Assert.Equal(10, await crashed.Reader.ReadIntegratedSizeAsync(None));
        var torn = _store.Paths().ToDictionary(p => p, p => _store.Get(p)!);
        Assert.Contains(new TileAddress(0, 1, 54, IsEntries: true).ToPath(), torn.Keys);
        Crash(crashed);

        var restarted = await OpenedAsync();
        int writesBefore = _store.ObjectWrites;
        var head = await Guard(restarted.IntegrateAsync(None));
        Assert.True(_store.ObjectWrites > writesBefore, "the second integration wrote nothing");
        // The store refuses other bytes at a stored path; check the outcome too.
        foreach (var (path, bytes) in torn)
            Assert.Equal(bytes, _store.Get(path));
        await AssertLogHoldsAsync(restarted, head, all);
        Assert.Equal(310, await Guard(restarted.SequenceAsync(Entries("next", 1, all), None)));
    }

    [Fact]
    public async Task Crash_AfterWritingTiles_TheSameDriverRetriesAndSucceeds()
    {
        var driver = await OpenedAsync();
        var all = new List<byte[]>();
        await Guard(driver.SequenceAsync(Entries("retry", 257, all), None));
        _store.FailIntegrationAfterWritingTiles = true;
        await Assert.ThrowsAsync<SimulatedCrashException>(() => Guard(driver.IntegrateAsync(None)));
        await Guard(driver.SequenceAsync(Entries("meanwhile", 3, all), None));
        await AssertLogHoldsAsync(driver, await Guard(driver.IntegrateAsync(None)), all);
    }

    [Fact]
    public async Task Sequence_BeyondThePendingLimit_PushesBackAndStoresNothing()
    {
        var store = new MemoryStore { MaxPendingEntries = 5 };
        var driver = new MemoryDriver(store);
        await Guard(driver.OpenAsync(None));
        await Guard(driver.SequenceAsync(Entries("fits", 4), None));
        await Assert.ThrowsAsync<PushbackException>(() => Guard(driver.SequenceAsync(Entries("spills", 2), None)));
        Assert.Equal(4, store.NextIndex);
        await Guard(driver.IntegrateAsync(None));
        Assert.Equal(4, await Guard(driver.SequenceAsync(Entries("fits again", 2), None)));
    }

    [Fact]
    public async Task Calls_BeforeOpen_AreRefused()
    {
        var driver = new MemoryDriver(_store);
        await Assert.ThrowsAsync<InvalidOperationException>(() => driver.SequenceAsync(Entries("early", 1), None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => driver.IntegrateAsync(None));
        Assert.Equal(0, _store.NextIndex);
    }
}
