using System.CommandLine;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using RekorPosix.Log.Cloud;
using RekorPosix.Log.S3;

namespace RekorPosix.Log.Aws;

/// <summary><c>fsck</c> of a log in an S3-API bucket, with IntCoord checked when the MySQL
/// database is given too.</summary>
internal sealed class FsckCommandLine : BucketFsckCommand
{
    private readonly StorageFlags _storage;

    public FsckCommandLine()
        : this(new StorageFlags())
    {
    }

    private FsckCommandLine(StorageFlags storage)
        : base("database", storage.Options)
    {
        _storage = storage;
    }

    protected override Task<(IBucket Bucket, Func<CancellationToken, Task<TreeHead>>? ReadIntegrated)> OpenAsync(ParseResult parse, ILogger logger, List<IAsyncDisposable> resources)
    {
        var storage = _storage.Read(parse);
        if (storage.Bucket.Length == 0)
            throw new ArgumentException($"{StorageFlags.BucketFlag} is required");
        Func<CancellationToken, Task<TreeHead>>? readIntegrated = null;
        if (storage.MySqlDsn.Length > 0)
        {
            var database = new MySqlDataSource(Flavour.ConnectionString(storage));
            resources.Add(database);
            readIntegrated = new Coordinator(database).ReadIntegratedAsync;
        }
        return Task.FromResult<(IBucket, Func<CancellationToken, Task<TreeHead>>?)>((new Bucket(Flavour.S3Client(), storage.Bucket), readIntegrated));
    }
}
