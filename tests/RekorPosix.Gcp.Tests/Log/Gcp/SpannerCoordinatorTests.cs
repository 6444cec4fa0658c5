using RekorPosix.Log;
using RekorPosix.Log.Gcp;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Tests.Support;
using Keys = RekorPosix.Log.Gcp.Spanner.SpannerKeys;
using Values = RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Tests.Log.Gcp;

/// <summary>The Spanner schema and rows tessera's GCP driver keeps (spec gcp-spanner-flavour.md
/// §3), on the emulator: what a Go server sharing the database expects to find.</summary>
public sealed class SpannerCoordinatorTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static RekorPosix.Protos.Spanner.KeySet Row0 => Keys.Of(Keys.Key(Values.Int64(0)));
    private GcpLogRig _rig = null!;

    public async Task InitializeAsync() => _rig = await GcpLogRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Init_CreatesTesserasTables_AsSpannerPrintsThem()
    {
        await _rig.Coordinator().InitAsync(None);

        var ddl = await _rig.Database.Admin.GetDdlAsync(_rig.Database.Name, None);
        string[] expected =
        [
            "CREATE TABLE GCCoord (\n  id INT64 NOT NULL,\n  fromSize INT64 NOT NULL,\n) PRIMARY KEY(id)",
            "CREATE TABLE IntCoord (\n  id INT64 NOT NULL,\n  seq INT64 NOT NULL,\n  rootHash BYTES(32),\n) PRIMARY KEY(id)",
            "CREATE TABLE PubCoord (\n  id INT64 NOT NULL,\n  publishedAt TIMESTAMP NOT NULL,\n  size INT64,\n) PRIMARY KEY(id)",
            "CREATE TABLE Seq (\n  id INT64 NOT NULL,\n  seq INT64 NOT NULL,\n  v BYTES(MAX),\n) PRIMARY KEY(id, seq)",
            "CREATE TABLE SeqCoord (\n  id INT64 NOT NULL,\n  next INT64 NOT NULL,\n) PRIMARY KEY(id)",
            "CREATE TABLE Tessera (\n  id INT64 NOT NULL,\n  compatibilityVersion INT64 NOT NULL,\n) PRIMARY KEY(id)",
        ];
        Assert.Equal(expected, ddl.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Init_WritesTheInitialRows()
    {
        await _rig.Coordinator().InitAsync(None);

        var client = _rig.Client();
        Assert.Equal(1, (await client.ReadAsync("Tessera", ["compatibilityVersion"], Row0, None)).Single().Int64(0));
        Assert.Equal(0, (await client.ReadAsync("SeqCoord", ["next"], Row0, None)).Single().Int64(0));
        var pub = (await client.ReadAsync("PubCoord", ["publishedAt", "size"], Row0, None)).Single();
        Assert.Equal(DateTimeOffset.UnixEpoch, pub.Timestamp(0).ToDateTimeOffset());
        Assert.Equal(0, pub.NullableInt64(1));
        Assert.Equal(0, (await client.ReadAsync("GCCoord", ["fromSize"], Row0, None)).Single().Int64(0));
        var head = await _rig.Coordinator().ReadIntegratedAsync(None);
        Assert.True(head.SameAs(TreeHead.Empty));
    }

    [Fact]
    public async Task Init_Again_NeverResetsALog()
    {
        var driver = _rig.Driver();
        await driver.OpenAsync(None);
        await driver.SequenceAsync([new byte[] { 1 }, new byte[] { 2 }], None);
        var head = await driver.IntegrateAsync(None);
        await driver.SequenceAsync([new byte[] { 3 }], None);

        await _rig.Coordinator().InitAsync(None);

        Assert.True((await _rig.Coordinator().ReadIntegratedAsync(None)).SameAs(head));
        Assert.Equal(3, (await _rig.Client().ReadAsync("SeqCoord", ["next"], Row0, None)).Single().Int64(0));
    }

    [Fact]
    public async Task Init_RefusesAnotherCompatibilityVersion()
    {
        await _rig.Coordinator().InitAsync(None);
        await _rig.Client().ApplyAsync([SpannerMutations.Update("Tessera", ["id", "compatibilityVersion"], Values.Int64(0), Values.Int64(2))], None);

        var error = await Assert.ThrowsAsync<LogStateException>(() => _rig.Coordinator().InitAsync(None));
        Assert.Contains("compatibilityVersion is 2", error.Message);
    }

    /// <summary>tessera's pushback rule (§4.2): checked before the batch is added, so the log
    /// may hold the threshold plus one batch unintegrated; beyond, nothing is written.</summary>
    [Fact]
    public async Task Sequence_BeyondMaxOutstanding_IsPushedBack_UntilIntegrated()
    {
        var driver = _rig.Driver(maxOutstanding: 10);
        await driver.OpenAsync(None);
        await driver.SequenceAsync([.. Enumerable.Range(0, 10).Select(i => (ReadOnlyMemory<byte>)new byte[] { (byte)i })], None);
        Assert.Equal(10, await driver.SequenceAsync([new byte[] { 10 }], None));

        await Assert.ThrowsAsync<PushbackException>(() => driver.SequenceAsync([new byte[] { 11 }], None));
        Assert.Equal(11, (await _rig.Client().ReadAsync("SeqCoord", ["next"], Row0, None)).Single().Int64(0));

        await driver.IntegrateAsync(None);
        Assert.Equal(11, await driver.SequenceAsync([new byte[] { 11 }], None));
    }

    /// <summary>A batch of large entries is stored as several Seq rows under Spanner's 10 MiB
    /// cell limit (§4.10), each keyed by its first index, and integrated as one batch.</summary>
    [Fact]
    public async Task Sequence_ABatchLargerThanACell_IsSplitIntoRows_AndIntegrated()
    {
        var driver = _rig.Driver();
        await driver.OpenAsync(None);
        var entries = Enumerable.Range(0, 180).Select(i => Enumerable.Repeat((byte)i, 60_000).ToArray()).ToList();
        Assert.Equal(0, await driver.SequenceAsync(entries.ConvertAll(e => (ReadOnlyMemory<byte>)e), None));

        var rows = await _rig.Client().ReadAsync("Seq", ["seq"], Keys.All(), None);
        Assert.Equal([0L, 157L], rows.Select(r => r.Int64(0)));
        var head = await driver.IntegrateAsync(None);
        Assert.Equal(180, head.Size);
        var bundle = Tiles.EntryBundle.Parse(await driver.Reader.ReadEntryBundleAsync(new Tiles.TileAddress(0, 0, 180, IsEntries: true), None));
        Assert.Equal(entries, bundle.Select(e => e.ToArray()));
    }
}
