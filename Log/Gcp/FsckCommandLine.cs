using System.CommandLine;
using RekorPosix.Log.Cloud;
using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Log.Gcp;

/// <summary><c>fsck</c> of a log in a GCS bucket, with IntCoord checked when <c>--gcp-spanner</c>
/// is given too (a single read: no transaction, no schema change).</summary>
internal sealed class FsckCommandLine : BucketFsckCommand
{
    private readonly StorageFlags _storage;

    public FsckCommandLine()
        : this(new StorageFlags())
    {
    }

    private FsckCommandLine(StorageFlags storage)
        : base("Spanner database", storage.Options)
    {
        _storage = storage;
    }

    protected override async Task<(IBucket Bucket, Func<CancellationToken, Task<TreeHead>>? ReadIntegrated)> OpenAsync(ParseResult parse, List<IDisposable> resources)
    {
        var storage = _storage.Read(parse);
        if (storage.Bucket.Length == 0)
            throw new ArgumentException($"{StorageFlags.BucketFlag} is required");
        var google = new GoogleConnections();
        var bucket = await google.BucketAsync(storage.Bucket).ConfigureAwait(false);
        if (storage.Spanner.Length == 0)
            return (bucket, null);
        var database = Flavour.DatabaseName(storage.Spanner, "");
        var connection = await google.SpannerAsync().ConfigureAwait(false);
        resources.Add(connection);
        return (bucket, new SpannerCoordinator(new SpannerClient(connection, database), new SpannerDatabaseAdmin(connection)).ReadIntegratedAsync);
    }
}
