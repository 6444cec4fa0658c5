using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Gcp;
using RekorPosix.Tests.Log.Antispam;
using RekorPosix.Tests.Support;
using Keys = RekorPosix.Log.Gcp.Spanner.SpannerKeys;

namespace RekorPosix.Tests.Log.Gcp;

/// <summary>Antispam in the &lt;D&gt;-antispam Spanner database on the emulator: duplicates found
/// after a restart and by a second server, the earliest index kept, and no wedge on a hash that
/// is indexed already (spec gcp-spanner-flavour.md §4.9, pitfall 14).</summary>
public sealed class SpannerDedupIndexTests : DedupIndexContractTests, IAsyncLifetime
{
    private GcpLogRig _rig = null!;

    protected override int MaxBatchSize => SpannerDedupIndex.DefaultMaxBatchSize;

    private protected override async Task<(ILogDriver Driver, Func<ILogger, IDedupIndex> OpenIndex)> ServerStorageAsync() =>
        (_rig.Driver(maxOutstanding: 4096), SpannerDedupIndex.In(await _rig.AntispamClientAsync(), _rig.Database.Admin));

    public async Task InitializeAsync() => _rig = await GcpLogRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    private static byte[] Entry(int i) => Encoding.UTF8.GetBytes($"{{\"dedup\":{i}}}");

    private static byte[] Hashes(params int[] entries) => [.. entries.SelectMany(i => SHA256.HashData(Entry(i)))];

    private async Task<IDedupIndex> IndexAsync() =>
        SpannerDedupIndex.In(await _rig.AntispamClientAsync(), _rig.Database.Admin)(NullLogger.Instance);

    /// <summary>An entry sequenced twice (dedup is eventual) meets its own hash in IDSeq, from an
    /// earlier batch and within the batch: the commit goes through and the first index stays.</summary>
    [Fact]
    public async Task Commit_OfAHashIndexedAlready_KeepsTheEarliestIndex_AndMovesOn()
    {
        var index = await IndexAsync();
        Assert.Equal(0, index.ReadNextIndex());
        Assert.Equal(2, index.Commit(0, Hashes(0, 1)));
        Assert.Equal(6, index.Commit(2, Hashes(2, 1, 2, 3)));

        Assert.Equal(6, index.ReadNextIndex());
        Assert.Equal(0, await index.FindAsync(SHA256.HashData(Entry(0))));
        Assert.Equal(1, await index.FindAsync(SHA256.HashData(Entry(1))));
        Assert.Equal(2, await index.FindAsync(SHA256.HashData(Entry(2))));
        Assert.Equal(5, await index.FindAsync(SHA256.HashData(Entry(3))));
        Assert.Null(await index.FindAsync(SHA256.HashData(Entry(4))));
    }

    [Fact]
    public async Task Commit_FromBehindAnotherFollower_WritesNothing_AndSaysWhereItIs()
    {
        var index = await IndexAsync();
        var other = await IndexAsync();
        Assert.Equal(2, index.Commit(0, Hashes(0, 1)));
        Assert.Equal(2, other.Commit(0, Hashes(7, 8)));
        Assert.Null(await other.FindAsync(SHA256.HashData(Entry(7))));
    }

    [Fact]
    public async Task Open_CreatesTesserasTables_AndKeepsThePosition()
    {
        var index = await IndexAsync();
        index.Commit(0, Hashes(0));
        Assert.Equal(1, (await IndexAsync()).ReadNextIndex());

        var client = await _rig.AntispamClientAsync();
        var ddl = await _rig.Database.Admin.GetDdlAsync(client.Database, CancellationToken.None);
        Assert.Equal(
        [
            "CREATE TABLE FollowCoord (\n  id INT64 NOT NULL,\n  nextIdx INT64 NOT NULL,\n) PRIMARY KEY(id)",
            "CREATE TABLE IDSeq (\n  h BYTES(32) NOT NULL,\n  idx INT64 NOT NULL,\n) PRIMARY KEY(h)",
        ], ddl.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rebuild_EmptiesTheIndex()
    {
        var index = await IndexAsync();
        index.Commit(0, Hashes(0, 1));
        index.Rebuild("a test");
        Assert.Equal(0, index.ReadNextIndex());
        Assert.Null(await index.FindAsync(SHA256.HashData(Entry(0))));
        var client = await _rig.AntispamClientAsync();
        Assert.Empty(await client.ReadAsync("IDSeq", ["h"], Keys.All(), CancellationToken.None));
    }
}
