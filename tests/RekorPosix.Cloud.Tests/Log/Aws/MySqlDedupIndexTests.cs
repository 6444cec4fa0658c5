using Microsoft.Extensions.Logging;
using MySqlConnector;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Aws;
using RekorPosix.Log.S3;
using RekorPosix.Tests.Log.Antispam;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>Antispam in the log's MySQL database: duplicates found after a restart, by a second
/// server, and the follower's position shared between servers.</summary>
public sealed class MySqlDedupIndexTests : DedupIndexContractTests, IDisposable
{
    private readonly string _dsn = CloudRig.NewDatabase();
    private readonly string _bucket = CloudRig.NewBucket();
    private readonly List<MySqlDataSource> _databases = [];

    protected override int MaxBatchSize => MySqlDedupIndex.DefaultMaxBatchSize;

    private protected override Task<(ILogDriver Driver, Func<ILogger, IDedupIndex> OpenIndex)> ServerStorageAsync()
    {
        var builder = new MySqlConnectionStringBuilder();
        foreach (var (key, value) in GoMySqlDsn.Parse(_dsn).ToConnectionStringParts())
            builder[key] = value;
        var database = new MySqlDataSource(builder.ConnectionString);
        _databases.Add(database);
        var driver = new AwsStorage(new Coordinator(database), new Bucket(CloudRig.S3(), _bucket), maxOutstanding: 4096);
        return Task.FromResult<(ILogDriver, Func<ILogger, IDedupIndex>)>((driver, MySqlDedupIndex.In(database)));
    }

    public void Dispose()
    {
        foreach (var database in _databases)
            database.Dispose();
    }
}
