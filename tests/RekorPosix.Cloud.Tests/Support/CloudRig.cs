using Amazon.S3;
using MySqlConnector;

namespace RekorPosix.Tests.Support;

/// <summary>
/// The running rig of tests/cloud/rig.sh, found through the variables its rig.env exports
/// (RIG_DIR, RIG_MYSQL_PORT, RIG_MYSQL_PASSWORD, AWS_*). Each test gets a database and a bucket of
/// its own, so that no test sees another's log.
/// </summary>
public static class CloudRig
{
    private static string Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{name} is not set: start the rig (bash tests/cloud/rig.sh start DIR) and source DIR/rig.env first");

    /// <summary>A new empty database the rig's rekor user may use, and its Go DSN.</summary>
    public static string NewDatabase()
    {
        string name = "t" + Guid.NewGuid().ToString("N")[..16];
        using var root = new MySqlConnection(RootConnectionString());
        root.Open();
        foreach (string sql in new[]
        {
            $"CREATE DATABASE {name}",
            $"GRANT CREATE, ALTER, SELECT, INSERT, UPDATE, DELETE ON {name}.* TO 'rekor'@'127.0.0.1'",
        })
        {
            using var command = new MySqlCommand(sql, root);
            command.ExecuteNonQuery();
        }
        return $"rekor:{Variable("RIG_MYSQL_PASSWORD")}@tcp(127.0.0.1:{Variable("RIG_MYSQL_PORT")})/{name}";
    }

    /// <summary>A new empty bucket in s3rver.</summary>
    public static string NewBucket()
    {
        string name = "t" + Guid.NewGuid().ToString("N")[..16];
        using var s3 = S3();
        s3.PutBucketAsync(name).GetAwaiter().GetResult();
        return name;
    }

    public static AmazonS3Client S3() => new(new AmazonS3Config { ForcePathStyle = true, ServiceURL = Variable("AWS_ENDPOINT_URL") });

    /// <summary>root through the rig's socket, with the password rig.sh keeps in DIR/root.cnf.</summary>
    public static string RootConnectionString()
    {
        string dir = Variable("RIG_DIR");
        string password = File.ReadAllLines(Path.Combine(dir, "root.cnf")).First(l => l.StartsWith("password=", StringComparison.Ordinal))["password=".Length..];
        return new MySqlConnectionStringBuilder
        {
            Server = Path.Combine(dir, "mysqld.sock"),
            ConnectionProtocol = MySqlConnectionProtocol.UnixSocket,
            UserID = "root",
            Password = password,
        }.ConnectionString;
    }
}
