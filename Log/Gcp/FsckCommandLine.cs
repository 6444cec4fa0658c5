using System.CommandLine;
using Microsoft.Extensions.Logging;
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

    protected override async Task<(IBucket Bucket, Func<CancellationToken, Task<TreeHead>>? ReadIntegrated)> OpenAsync(ParseResult parse, ILogger logger, List<IAsyncDisposable> resources)
    {
        var storage = _storage.Read(parse);
        if (storage.Bucket.Length == 0)
            throw new ArgumentException($"{StorageFlags.BucketFlag} is required");
        var google = new GoogleConnections(logger);
        resources.Add(google);
        var bucket = await google.BucketAsync(storage.Bucket).ConfigureAwait(false);
        if (storage.Spanner.Length == 0)
            return (bucket, null);
        var database = Flavour.DatabaseName(storage.Spanner, "");
        var connection = await google.SpannerAsync().ConfigureAwait(false);
        return (bucket, new SpannerCoordinator(await google.SpannerClientAsync(database).ConfigureAwait(false), new SpannerDatabaseAdmin(connection)).ReadIntegratedAsync);
    }
}
