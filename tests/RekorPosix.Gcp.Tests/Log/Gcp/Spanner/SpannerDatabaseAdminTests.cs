using Grpc.Core;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Schema changes on the emulator (spec gcp-spanner-flavour.md §3.4, §6.10): tessera runs
/// its CREATE TABLE IF NOT EXISTS and ALTER … ADD COLUMN IF NOT EXISTS at every start.</summary>
public sealed class SpannerDatabaseAdminTests
{
    [Fact]
    public async Task CreateTableIfNotExists_IsIdempotent()
    {
        await using var database = await EmulatorDatabase.CreateAsync(withTables: false);

        await database.Admin.UpdateDdlAsync(database.Name, EmulatorDatabase.Tables, CancellationToken.None);
        await database.Admin.UpdateDdlAsync(database.Name, EmulatorDatabase.Tables, CancellationToken.None);

        var ddl = await database.Admin.GetDdlAsync(database.Name, CancellationToken.None);
        Assert.Equal(2, ddl.Count);
        Assert.StartsWith("CREATE TABLE Blob (", ddl.Single(s => s.Contains("Blob", StringComparison.Ordinal)));
        Assert.StartsWith("CREATE TABLE Counter (", ddl.Single(s => s.Contains("Counter", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AddColumnIfNotExists_IsIdempotent_WhilePlainAddColumnFailsWithTheCode()
    {
        await using var database = await EmulatorDatabase.CreateAsync();
        string[] alter = ["ALTER TABLE Counter ADD COLUMN IF NOT EXISTS size INT64"];

        await database.Admin.UpdateDdlAsync(database.Name, alter, CancellationToken.None);
        await database.Admin.UpdateDdlAsync(database.Name, alter, CancellationToken.None);
        var error = await Assert.ThrowsAsync<SpannerException>(() =>
            database.Admin.UpdateDdlAsync(database.Name, ["ALTER TABLE Counter ADD COLUMN size INT64"], CancellationToken.None));

        Assert.Equal(StatusCode.FailedPrecondition, error.Code);
        Assert.Contains("UpdateDatabaseDdl", error.Message);
        Assert.Contains("Duplicate column", error.Message);
        Assert.Contains(await database.Admin.GetDdlAsync(database.Name, CancellationToken.None), s => s.Contains("size INT64", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureDdl_OnAReadySchema_MakesNoSchemaChange_AndMakesOnlyTheMissingOnes()
    {
        await using var database = await EmulatorDatabase.CreateAsync();
        string[] extra = ["CREATE TABLE IF NOT EXISTS Extra (id INT64 NOT NULL) PRIMARY KEY (id)"];
        int before = await EmulatorOperations.CountAsync(database.Name);

        await database.Admin.EnsureDdlAsync(database.Name, EmulatorDatabase.Tables, CancellationToken.None);
        await database.Admin.EnsureDdlAsync(database.Name, EmulatorDatabase.Tables, CancellationToken.None);
        int afterReady = await EmulatorOperations.CountAsync(database.Name);
        await database.Admin.EnsureDdlAsync(database.Name, [.. EmulatorDatabase.Tables, .. extra], CancellationToken.None);
        int afterExtra = await EmulatorOperations.CountAsync(database.Name);

        Assert.Equal(before, afterReady);
        Assert.Equal(before + 1, afterExtra);
        var ddl = await database.Admin.GetDdlAsync(database.Name, CancellationToken.None);
        Assert.Equal(3, ddl.Count);
        Assert.Contains(ddl, s => s.StartsWith("CREATE TABLE Extra (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DdlOnAMissingDatabase_IsNotFound()
    {
        using var connection = new SpannerConnection(SpannerEmulator.Endpoint(), new SpannerSettings());
        var admin = new SpannerDatabaseAdmin(connection);
        var missing = SpannerEmulator.NewDatabaseName();

        var error = await Assert.ThrowsAsync<SpannerException>(() => admin.UpdateDdlAsync(missing, EmulatorDatabase.Tables, CancellationToken.None));

        Assert.Equal(StatusCode.NotFound, error.Code);
        Assert.Contains(missing.Database, error.Message);
    }
}
