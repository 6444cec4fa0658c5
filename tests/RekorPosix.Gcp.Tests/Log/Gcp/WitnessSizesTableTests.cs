using RekorPosix.Log.Gcp;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp;

/// <summary>The witnesses' last sizes in the log's Spanner database, as a restarted server reads
/// them (on the emulator).</summary>
public sealed class WitnessSizesTableTests : IAsyncLifetime
{
    private EmulatorDatabase _database = null!;

    public async Task InitializeAsync() => _database = await EmulatorDatabase.CreateAsync(withTables: false);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private readonly CapturingLogger _log = new();

    private WitnessSizesTable Table() => new(_database.Client, _log);

    private Task CreateAsync() => WitnessSizesTable.CreateAsync(_database.Admin, _database.Name, CancellationToken.None);

    [Fact]
    public async Task AFreshDatabase_GetsTheTable_OnceAndEmpty()
    {
        await CreateAsync();
        await CreateAsync();
        Assert.Empty(await Table().LoadAsync(CancellationToken.None));

        var ddl = await _database.Admin.GetDdlAsync(_database.Name, CancellationToken.None);
        Assert.Equal(["CREATE TABLE RekorPosixWitnessSizes (\n  urlHash BYTES(32) NOT NULL,\n  url BYTES(MAX) NOT NULL,\n  size INT64 NOT NULL,\n) PRIMARY KEY(urlHash)"], ddl);
    }

    [Fact]
    public async Task Saved_SizesAreWhatAnotherServerLoads_AndASaveReplacesThemAll()
    {
        await CreateAsync();
        var table = Table();
        await table.LoadAsync(CancellationToken.None);
        string longUrl = "https://witness.example/" + new string('x', 600) + "/ü";
        await table.SaveAsync(new Dictionary<string, long> { ["http://a.example/"] = 7, [longUrl] = 1L << 40 }, CancellationToken.None);
        await table.WrittenAsync();

        var other = await Table().LoadAsync(CancellationToken.None);
        Assert.Equal(7, other["http://a.example/"]);
        Assert.Equal(1L << 40, other[longUrl]);

        await table.SaveAsync(new Dictionary<string, long> { ["http://b.example/"] = 9 }, CancellationToken.None);
        await table.WrittenAsync();
        Assert.Equal(new Dictionary<string, long> { ["http://b.example/"] = 9 }, await table.LoadAsync(CancellationToken.None));
        await table.SaveAsync(new Dictionary<string, long>(), CancellationToken.None);
        await table.WrittenAsync();
        Assert.Empty(await table.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ALoadAndASaveFromInsideAReadWriteTransaction_NeitherWaitsForIt()
    {
        // The witnesses are asked inside the publication's transaction; with the emulator's gate
        // a transaction started from in there could never run before that one ends.
        using var gated = new SpannerConnection(SpannerEmulator.Endpoint(), new SpannerSettings { OneTransactionAtATime = true });
        await using var client = new SpannerClient(gated, _database.Name);
        await CreateAsync();
        var table = new WitnessSizesTable(client, _log);

        // The first load comes from inside the first publication's transaction, as the save.
        await client.RunTransactionAsync(async (transaction, cancel) =>
        {
            await transaction.ReadExclusiveAsync("RekorPosixWitnessSizes", ["urlHash"], SpannerKeys.All(), cancel);
            return await table.LoadAsync(cancel);
        }, CancellationToken.None).WaitAsync(HangGuard.Timeout);

        await client.RunTransactionAsync(async (transaction, cancel) =>
        {
            await table.SaveAsync(new Dictionary<string, long> { ["http://a.example/"] = 3 }, cancel);
            return true;
        }, CancellationToken.None).WaitAsync(HangGuard.Timeout);
        await table.WrittenAsync().WaitAsync(HangGuard.Timeout);

        Assert.Equal(new Dictionary<string, long> { ["http://a.example/"] = 3 }, await Table().LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AnUnreachableSpanner_FailsCreateAndLoad_AndLogsAFailedSave()
    {
        using var nowhere = new SpannerConnection(SpannerEndpoint.Emulator("127.0.0.1:1"),
            new SpannerSettings { CallTimeout = TimeSpan.FromSeconds(2), TransactionTimeout = TimeSpan.FromSeconds(2), AdminTimeout = TimeSpan.FromSeconds(2) });
        await using var client = new SpannerClient(nowhere, _database.Name);
        var table = new WitnessSizesTable(client, _log);

        await Assert.ThrowsAsync<IOException>(() => WitnessSizesTable.CreateAsync(new SpannerDatabaseAdmin(nowhere), _database.Name, CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(() => table.LoadAsync(CancellationToken.None));
        await table.SaveAsync(new Dictionary<string, long> { ["http://a.example/"] = 1 }, CancellationToken.None);
        await table.WrittenAsync();

        Assert.Contains(_log.Lines, line => line.EventId == 703 && line.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }
}
