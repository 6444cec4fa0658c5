using MySqlConnector;
using RekorPosix.Log.Aws;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>The witnesses' last sizes in the log's database, as a restarted server reads them.</summary>
public sealed class WitnessSizesTableTests : IAsyncDisposable
{
    private readonly MySqlDataSource _database = Database(CloudRig.NewDatabase());

    [Fact]
    public async Task AFreshDatabase_HoldsNoSizes_AndGetsTheTable()
    {
        Assert.Empty(await new WitnessSizesTable(_database).LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Saved_SizesAreWhatAnotherServerLoads_AndASaveReplacesThemAll()
    {
        var table = new WitnessSizesTable(_database);
        await table.LoadAsync(CancellationToken.None);
        string longUrl = "https://witness.example/" + new string('x', 600);
        await table.SaveAsync(new Dictionary<string, long> { ["http://a.example/"] = 7, [longUrl] = 1L << 40 }, CancellationToken.None);

        var other = await new WitnessSizesTable(_database).LoadAsync(CancellationToken.None);
        Assert.Equal(7, other["http://a.example/"]);
        Assert.Equal(1L << 40, other[longUrl]);

        await table.SaveAsync(new Dictionary<string, long> { ["http://b.example/"] = 9 }, CancellationToken.None);
        Assert.Equal(new Dictionary<string, long> { ["http://b.example/"] = 9 }, await table.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AnUnreachableDatabase_IsAnIOException()
    {
        await using var nowhere = new MySqlDataSource("Server=127.0.0.1;Port=1;User ID=x;Password=y;Connection Timeout=2");
        await Assert.ThrowsAsync<IOException>(() => new WitnessSizesTable(nowhere).LoadAsync(CancellationToken.None));
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    private static MySqlDataSource Database(string dsn)
    {
        var builder = new MySqlConnectionStringBuilder();
        foreach (var (key, value) in GoMySqlDsn.Parse(dsn).ToConnectionStringParts())
            builder[key] = value;
        return new MySqlDataSource(builder.ConnectionString);
    }
}
