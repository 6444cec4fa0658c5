using System.Text;
using Amazon.S3.Model;
using MySqlConnector;
using RekorPosix.Log;
using RekorPosix.Log.Aws;
using RekorPosix.Log.S3;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>fsck of a log in a bucket (and its database): exit 0 on a good log, 1 naming the bad
/// object, 2 for a usage problem.</summary>
public sealed class FsckCommandLineTests
{
    private readonly string _dsn = CloudRig.NewDatabase();
    private readonly string _bucket = CloudRig.NewBucket();

    private int Fsck(params string[] more) =>
        new FsckCommandLine().Command.Parse(["--aws-bucket", _bucket, "--vkey", TestData.TesseraVkey, .. more]).Invoke();

    [Fact]
    public async Task AGoodLogPasses_ADamagedTileFails_AndNoVerifierIsAUsageError()
    {
        await WriteLogAsync(300);
        Assert.Equal(0, Fsck("--aws-mysql-dsn", _dsn));
        Assert.Equal(0, Fsck()); // the bucket alone is auditable too

        using var s3 = CloudRig.S3();
        using var tile = await s3.GetObjectAsync(_bucket, "tile/0/000");
        var bytes = new MemoryStream();
        await tile.ResponseStream.CopyToAsync(bytes);
        byte[] damaged = bytes.ToArray();
        damaged[77] ^= 1;
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = "tile/0/000", InputStream = new MemoryStream(damaged), UseChunkEncoding = false });
        Assert.Equal(1, Fsck("--aws-mysql-dsn", _dsn));

        Assert.Equal(2, new FsckCommandLine().Command.Parse(["--aws-bucket", _bucket]).Invoke());
    }

    private async Task WriteLogAsync(int count)
    {
        var builder = new MySqlConnectionStringBuilder();
        foreach (var (key, value) in GoMySqlDsn.Parse(_dsn).ToConnectionStringParts())
            builder[key] = value;
        await using var database = new MySqlDataSource(builder.ConnectionString);
        await using var driver = new AwsStorage(new Coordinator(database), new Bucket(CloudRig.S3(), _bucket), maxOutstanding: 1 << 20);
        await driver.OpenAsync(CancellationToken.None);
        var entries = Enumerable.Range(0, count).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"fsck entry {i}")).ToList();
        await driver.SequenceAsync(entries, CancellationToken.None);
        await driver.IntegrateAsync(CancellationToken.None);
        var pace = new PublicationPace(TimeSpan.Zero, TimeSpan.Zero, DateTimeOffset.UtcNow, Force: true);
        await driver.PublishAsync(pace, TestLogKey.Signer().Maker(), CancellationToken.None);
    }
}
