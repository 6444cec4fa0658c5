using Amazon.S3;
using Amazon.S3.Model;
using MySqlConnector;
using RekorPosix.Log;
using RekorPosix.Log.Aws;
using RekorPosix.Log.S3;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>The driver contract over MariaDB and s3rver (the rig): a database and a bucket of its
/// own per test. Two drivers over them are two servers sharing one database and bucket.</summary>
public sealed class AwsDriverContractTests : DriverContractTests
{
    private readonly string _dsn = CloudRig.NewDatabase();
    private readonly string _bucket = CloudRig.NewBucket();
    private readonly AmazonS3Client _s3 = CloudRig.S3();
    private readonly List<MySqlDataSource> _databases = [];

    protected override int GcBundlesPerCall => AwsStorage.MaxBundlesPerGcRun;

    protected override ILogDriver Open()
    {
        var database = new MySqlDataSource(ConnectionString());
        _databases.Add(database);
        return new AwsStorage(new Coordinator(database), new Bucket(CloudRig.S3(), _bucket), maxOutstanding: 1 << 30);
    }

    /// <summary>A server that died holds no row lock once MariaDB notices its connections closed;
    /// the instance is just dropped.</summary>
    protected override void Crash(ILogDriver driver)
    {
    }

    /// <summary>Another server in the middle of an integration: IntCoord locked in an open transaction.</summary>
    protected override IDisposable HoldIntegrationLock()
    {
        var connection = new MySqlConnection(ConnectionString());
        connection.Open();
        var tx = connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        using (var command = new MySqlCommand("SELECT seq FROM IntCoord WHERE id = 0 FOR UPDATE", connection, tx))
            command.ExecuteScalar();
        return new Held(connection, tx);
    }

    protected override bool Holds(string path)
    {
        try
        {
            _s3.GetObjectMetadataAsync(_bucket, path).GetAwaiter().GetResult();
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    protected override void Overwrite(string path, byte[] data) =>
        _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = path, InputStream = new MemoryStream(data), UseChunkEncoding = false })
            .GetAwaiter().GetResult();

    protected override void Cleanup()
    {
        foreach (var database in _databases)
            database.Dispose();
        _s3.Dispose();
    }

    private string ConnectionString()
    {
        var builder = new MySqlConnectionStringBuilder();
        foreach (var (key, value) in GoMySqlDsn.Parse(_dsn).ToConnectionStringParts())
            builder[key] = value;
        return builder.ConnectionString;
    }

    private sealed class Held(MySqlConnection connection, MySqlTransaction tx) : IDisposable
    {
        public void Dispose()
        {
            tx.Rollback();
            tx.Dispose();
            connection.Dispose();
        }
    }
}
