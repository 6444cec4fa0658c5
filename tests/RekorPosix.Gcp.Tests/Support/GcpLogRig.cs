using RekorPosix.Log.Gcp;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Log.Gcp.Storage;

namespace RekorPosix.Tests.Support;

/// <summary>
/// The storage of one gcp log for a test: a fresh database on the Spanner emulator (no tables:
/// the driver creates them) and an in-process GCS bucket. <see cref="Driver"/> is another server
/// on them each time, with a Spanner client of its own.
/// </summary>
internal sealed class GcpLogRig : IAsyncDisposable
{
    public const string BucketName = "tiles";

    private readonly HttpClient _http = new();
    private readonly List<SpannerClient> _clients = [];
    private readonly Lazy<Task> _antispamCreated;

    private GcpLogRig(EmulatorDatabase database, FakeGcsServer gcs)
    {
        Database = database;
        Gcs = gcs;
        _antispamCreated = new(() => Database.Admin.CreateDatabaseAsync(AntispamName, CancellationToken.None));
    }

    public EmulatorDatabase Database { get; }

    public FakeGcsServer Gcs { get; }

    public static async Task<GcpLogRig> StartAsync() =>
        new(await EmulatorDatabase.CreateAsync(withTables: false), await FakeGcsServer.StartAsync(BucketName));

    public GcsBucket Bucket() => new(new GcsClient(_http, GcsEndpoint.Emulator(Gcs.HostPort), BucketName, new GcsSettings()));

    /// <summary>A Spanner client of its own on the test's database.</summary>
    public SpannerClient Client()
    {
        var client = new SpannerClient(Database.Connection, Database.Name);
        lock (_clients)
            _clients.Add(client);
        return client;
    }

    public SpannerCoordinator Coordinator() => new(Client(), Database.Admin);

    public GcpStorage Driver(long maxOutstanding = 1 << 30) => new(Coordinator(), Bucket(), maxOutstanding);

    /// <summary>The antispam database beside the log's (&lt;D&gt;-antispam), created on first use,
    /// as an operator creates it; a client of its own on it.</summary>
    public async Task<SpannerClient> AntispamClientAsync()
    {
        await _antispamCreated.Value;
        var client = new SpannerClient(Database.Connection, AntispamName);
        lock (_clients)
            _clients.Add(client);
        return client;
    }

    private SpannerDatabaseName AntispamName => Database.Name.WithDatabase(Database.Name.Database + SpannerDedupIndex.DatabaseSuffix);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
        if (_antispamCreated.IsValueCreated)
            await Database.Admin.DropDatabaseAsync(AntispamName, CancellationToken.None);
        await Database.DisposeAsync();
        await Gcs.DisposeAsync();
        _http.Dispose();
    }
}
