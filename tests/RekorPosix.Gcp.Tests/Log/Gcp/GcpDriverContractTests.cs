using RekorPosix.Log;
using RekorPosix.Log.Gcp;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp;

/// <summary>The driver contract over the Spanner emulator and the in-process GCS bucket: a
/// database and a bucket of their own per test. Two drivers over them are two servers sharing one
/// database and bucket.</summary>
public sealed class GcpDriverContractTests : DriverContractTests
{
    private readonly GcpLogRig _rig = GcpLogRig.StartAsync().GetAwaiter().GetResult();

    protected override int GcBundlesPerCall => GcpStorage.MaxBundlesPerGcRun;

    protected override ILogDriver Open() => _rig.Driver();

    /// <summary>A server that died holds no lock: the driver keeps none between calls, and a
    /// transaction it left open Spanner aborts by itself.</summary>
    protected override void Crash(ILogDriver driver)
    {
    }

    /// <summary>Another server in the middle of an integration: IntCoord read with the exclusive
    /// lock hint in a transaction left open until disposed.</summary>
    protected override IDisposable HoldIntegrationLock() => HeldTransaction.Start(_rig.Client(), "IntCoord", ["seq"]);

    protected override bool Holds(string path) => _rig.Gcs.Get(path) is not null;

    protected override void Overwrite(string path, byte[] data) => _rig.Gcs.Put(path, data);

    /// <summary>
    /// What the emulator lets this scenario show. It runs one transaction per database at a time,
    /// so a publication that holds PubCoord while its maker signs either keeps every other driver's
    /// transactions out (sequencing too, which <see cref="DriverContractTests.Publish_SlowMaker_DoesNotHoldUpSequencingOrIntegration"/>
    /// forbids) or, as it does, gives way to the first one that keeps retrying: the waiting attempt
    /// may read PubCoord before the publication commits, where real Spanner makes it wait on the
    /// lock. What must hold all the same: one publication in the interval (the other attempt makes
    /// no checkpoint), and the other attempt reports a checkpoint that was published, the one before
    /// or the new one.
    /// </summary>
    public override async Task Publish_AfterWaitingForAnotherDriversPublication_ReportsItsCheckpoint()
    {
        var (other, before, slow, publishing) = await StartHeldPublicationAsync();
        var maker = new RecordingMaker();
        Task<Publication> waiting;
        try
        {
            Assert.Equal(4, (await Guard(slow.Entered)).Size);
            waiting = Task.Run(() => other.PublishAsync(Pace(TimeSpan.FromHours(1), TimeSpan.FromHours(2)), maker.Make, None));
        }
        finally
        {
            slow.Release();
        }
        var theirs = (await Guard(publishing)).Current!;
        var outcome = await Guard(waiting);
        Assert.False(outcome.Wrote, "the other attempt published within the interval");
        Assert.Empty(maker.Calls);
        Assert.NotEqual(before.Note, theirs.Note);
        Assert.Contains(outcome.Current!.Note, new[] { before.Note, theirs.Note });
    }

    /// <summary>
    /// On the emulator the holder's transaction may be aborted (and re-run) at the moment the
    /// freeze asks for the lock, since it runs one transaction at a time: the freeze may then get
    /// through. What must hold either way: refused, it wrote nothing and the log stays open; let
    /// through, it froze the log whole (its final checkpoint covers every integrated entry, and
    /// sequencing is refused). Real Spanner makes the freeze wait for the lock and give up.
    /// </summary>
    public override async Task Freeze_WhileTheIntegrationLockIsHeld_WritesNothing()
    {
        var driver = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("busy", 3), None));
        await Guard(driver.IntegrateAsync(None));
        var published = await PublishForcedAsync(driver);
        FreezeOutcome? outcome;
        using (HoldIntegrationLock())
        {
            outcome = await Guard(driver.TryFreezeAsync(FreezeMaker(), None));
        }
        if (outcome is null)
        {
            Assert.Equal(published.Note, await driver.Reader.ReadCheckpointAsync(None));
            Assert.Equal(3, await Guard(driver.SequenceAsync(Entries("still open", 1), None)));
        }
        else
        {
            Assert.Equal(3, outcome.Value.Final.Size);
            await Assert.ThrowsAsync<LogFrozenException>(() => Guard(driver.SequenceAsync(Entries("closed", 1), None)));
        }
    }

    protected override void Cleanup() => _rig.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
