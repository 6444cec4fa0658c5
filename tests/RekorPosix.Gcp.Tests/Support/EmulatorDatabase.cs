using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A fresh database on the emulator for one test, with a connection, a client and the admin
/// calls; dropped afterwards (an instance holds at most 100 databases). <see cref="Tables"/>
/// are created when asked for: Counter (id INT64, n INT64) and Blob (id INT64, seq INT64, v BYTES),
/// shaped like tessera's coordination and Seq tables.
/// </summary>
internal sealed class EmulatorDatabase : IAsyncDisposable
{
    public static readonly string[] Tables =
    [
        "CREATE TABLE IF NOT EXISTS Counter (id INT64 NOT NULL, n INT64 NOT NULL) PRIMARY KEY (id)",
        "CREATE TABLE IF NOT EXISTS Blob (id INT64 NOT NULL, seq INT64 NOT NULL, v BYTES(MAX),) PRIMARY KEY (id, seq)",
    ];

    public static readonly string[] CounterColumns = ["id", "n"];

    public static readonly string[] BlobColumns = ["id", "seq", "v"];

    private EmulatorDatabase(SpannerSettings settings)
    {
        Name = SpannerEmulator.NewDatabaseName();
        Connection = new SpannerConnection(SpannerEmulator.Endpoint(), settings);
        Admin = new SpannerDatabaseAdmin(Connection);
        Client = new SpannerClient(Connection, Name);
    }

    public SpannerDatabaseName Name { get; }

    public SpannerConnection Connection { get; }

    public SpannerDatabaseAdmin Admin { get; }

    public SpannerClient Client { get; }

    public static async Task<EmulatorDatabase> CreateAsync(SpannerSettings? settings = null, bool withTables = true)
    {
        var database = new EmulatorDatabase(settings ?? new SpannerSettings());
        await database.Admin.CreateDatabaseAsync(database.Name, CancellationToken.None);
        if (withTables)
            await database.Admin.UpdateDdlAsync(database.Name, Tables, CancellationToken.None);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Admin.DropDatabaseAsync(Name, CancellationToken.None);
        Connection.Dispose();
    }
}
