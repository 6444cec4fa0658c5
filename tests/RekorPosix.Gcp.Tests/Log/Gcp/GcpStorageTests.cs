using System.Globalization;
using System.Text;
using RekorPosix.Log;
using RekorPosix.Log.Gcp;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;
using Keys = RekorPosix.Log.Gcp.Spanner.SpannerKeys;
using Values = RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Tests.Log.Gcp;

/// <summary>What the gcp driver does beyond the shared contract: Seq rows byte for byte as the Go
/// server writes and reads them (tests/testdata/cloud, written by Go's encoding/gob), and several
/// servers working at once on the emulator, which runs one transaction per database at a time.</summary>
public sealed class GcpStorageTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private GcpLogRig _rig = null!;

    public async Task InitializeAsync() => _rig = await GcpLogRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    /// <summary>The four entries of seq-4-entries.txt: entry i is byte('a'+i) repeated.</summary>
    private static List<byte[]> FourEntries() =>
        File.ReadAllLines(TestData.PathOf("cloud/seq-4-entries.txt"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' '))
            .Select(fields => Enumerable.Repeat((byte)('a' + int.Parse(fields[0], CultureInfo.InvariantCulture)),
                int.Parse(fields[1], CultureInfo.InvariantCulture)).ToArray())
            .ToList();

    private static byte[] GoBlob() => File.ReadAllBytes(TestData.PathOf("cloud/seq-4-entries.gob"));

    [Fact]
    public async Task Sequence_StoresTheSeqRowGoWrites()
    {
        var driver = _rig.Driver();
        await driver.OpenAsync(None).WaitAsync(HangGuard.Timeout);
        Assert.Equal(0, await driver.SequenceAsync(FourEntries().ConvertAll(e => (ReadOnlyMemory<byte>)e), None).WaitAsync(HangGuard.Timeout));

        var rows = await _rig.Client().ReadAsync("Seq", ["id", "seq", "v"], Keys.All(), None);
        var row = Assert.Single(rows);
        Assert.Equal(0, row.Int64(0));
        Assert.Equal(0, row.Int64(1));
        Assert.Equal(GoBlob(), row.Bytes(2));
        var next = await _rig.Client().ReadAsync("SeqCoord", ["next"], Keys.Of(Keys.Key(Values.Int64(0))), None);
        Assert.Equal(4, Assert.Single(next).Int64(0));
    }

    /// <summary>A row a Go server sequenced and left unintegrated (at index 0, then SeqCoord.next
    /// past it, as Go commits them together) is integrated by this driver.</summary>
    [Fact]
    public async Task Integrate_TakesTheSeqRowGoWrote()
    {
        var driver = _rig.Driver();
        await driver.OpenAsync(None).WaitAsync(HangGuard.Timeout);
        await _rig.Client().ApplyAsync(
        [
            SpannerMutations.Insert("Seq", ["id", "seq", "v"], Values.Int64(0), Values.Int64(0), Values.Bytes(GoBlob())),
            SpannerMutations.Update("SeqCoord", ["id", "next"], Values.Int64(0), Values.Int64(4)),
        ], None);

        var head = await driver.IntegrateAsync(None).WaitAsync(HangGuard.Timeout);

        var entries = FourEntries();
        Assert.Equal(4, head.Size);
        var tree = TileTreeBuilder.Empty();
        tree.Append(entries.ConvertAll(e => Rfc6962.LeafHash(e)));
        Assert.Equal(tree.Root(), head.Root);
        var bundle = EntryBundle.Parse(await driver.Reader.ReadEntryBundleAsync(new TileAddress(0, 0, 4, IsEntries: true), None));
        Assert.Equal(entries, bundle.Select(e => e.ToArray()));
        Assert.Empty(await _rig.Client().ReadAsync("Seq", ["seq"], Keys.All(), None));
    }

    /// <summary>Two servers each sequencing, integrating (every 20 ms) and publishing (every 50 ms)
    /// at once: on the emulator every transaction but one is aborted and run again, and none of
    /// them may wait on another for good or lose an entry.</summary>
    [Fact]
    public async Task TwoServers_SequencingIntegratingAndPublishingAtOnce_EndWithEveryEntry()
    {
        var servers = new[] { _rig.Driver(), _rig.Driver() };
        foreach (var server in servers)
            await server.OpenAsync(None).WaitAsync(HangGuard.Timeout);
        var signer = TestLogKey.Signer();
        using var stop = new CancellationTokenSource();
        var background = servers.SelectMany(server => new[]
        {
            Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await server.IntegrateAsync(None);
                    await Task.Delay(TimeSpan.FromMilliseconds(20));
                }
            }),
            Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await server.PublishAsync(new PublicationPace(TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1), DateTimeOffset.UtcNow), signer.Maker(), None);
                    await Task.Delay(TimeSpan.FromMilliseconds(50));
                }
            }),
        }).ToList();
        var sequenced = await Task.WhenAll(Enumerable.Range(0, 2).Select(s => Task.Run(async () =>
        {
            var batches = new List<(long First, byte[][] Entries)>();
            for (int b = 0; b < 15; b++)
            {
                byte[][] batch = [.. Enumerable.Range(0, 1 + b % 5).Select(i => Encoding.UTF8.GetBytes($"server{s}-batch{b}-{i}"))];
                batches.Add((await servers[s].SequenceAsync([.. batch.Select(e => (ReadOnlyMemory<byte>)e)], None), batch));
            }
            return batches;
        }))).WaitAsync(HangGuard.Timeout);
        await stop.CancelAsync();
        await Task.WhenAll(background).WaitAsync(HangGuard.Timeout);

        var all = sequenced.SelectMany(batches => batches).OrderBy(b => b.First).ToList();
        long next = 0;
        foreach (var (first, batch) in all)
        {
            Assert.Equal(next, first);
            next += batch.Length;
        }
        var head = await servers[0].IntegrateAsync(None).WaitAsync(HangGuard.Timeout);
        Assert.Equal(next, head.Size);
        var stored = new List<byte[]>();
        for (long bundle = 0; TileMath.EntryBundleAt(bundle, head.Size) is { } address; bundle++)
            stored.AddRange(EntryBundle.Parse(await servers[1].Reader.ReadEntryBundleAsync(address, None)).Select(e => e.ToArray()));
        Assert.Equal(all.SelectMany(b => b.Entries), stored);
    }
}
