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

    /// <summary>Not on the emulator: it runs one transaction per database at a time, so a
    /// publication that holds PubCoord while its maker signs either keeps every other driver's
    /// transactions out (sequencing too, which <see cref="DriverContractTests.Publish_SlowMaker_DoesNotHoldUpSequencingOrIntegration"/>
    /// forbids) or, as it does, gives way to the first one that keeps retrying; the waiting attempt
    /// then reads PubCoord before the publication commits. Real Spanner makes it wait on the lock.</summary>
    [Fact(Skip = "the Spanner emulator runs one transaction at a time: a waiting publication takes over the held PubCoord instead of waiting for it")]
    public override Task Publish_AfterWaitingForAnotherDriversPublication_ReportsItsCheckpoint() => Task.CompletedTask;

    protected override void Cleanup() => _rig.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
