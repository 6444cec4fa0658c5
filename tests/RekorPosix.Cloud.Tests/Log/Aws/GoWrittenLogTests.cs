using System.Security.Cryptography;
using MySqlConnector;
using RekorPosix.Log;
using RekorPosix.Log.Aws;
using RekorPosix.Log.S3;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>
/// A database as rekor-tiles' Go rekor-server-aws (tessera v1.0.4) leaves it, opened and continued
/// by our driver: its tables made with tessera's column types (not our schema code), its batch in
/// Seq.v as Go's encoding/gob wrote it (tests/testdata/cloud/seq-4-entries.gob), publishedAt in
/// seconds. The shapes are the ones https://github.com/transparency-dev/tessera's
/// storage/aws/aws.go creates.
/// </summary>
public sealed class GoWrittenLogTests : IDisposable
{
    private readonly string _bucket = CloudRig.NewBucket();
    private readonly MySqlDataSource _database;

    public GoWrittenLogTests()
    {
        var builder = new MySqlConnectionStringBuilder();
        foreach (var (key, value) in GoMySqlDsn.Parse(CloudRig.NewDatabase()).ToConnectionStringParts())
            builder[key] = value;
        _database = new MySqlDataSource(builder.ConnectionString);
    }

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task BatchSequencedByTheGoServer_IsIntegratedByteForByte_AndTheLogContinuesAfterIt()
    {
        await MakeGoSchemaAsync(publishedAt: 0);
        byte[] gob = File.ReadAllBytes(TestData.PathOf("cloud/seq-4-entries.gob"));
        await ExecuteAsync("UPDATE SeqCoord SET next = 4 WHERE id = 0");
        await ExecuteAsync("INSERT INTO Seq (id, seq, v) VALUES (0, 0, @v)", ("@v", gob));
        var (entries, leaves) = FourEntries();

        await using var driver = Driver();
        await driver.OpenAsync(CancellationToken.None);
        var head = await driver.IntegrateAsync(CancellationToken.None);

        Assert.Equal(4, head.Size);
        Assert.Equal(Root(leaves), head.Root);
        var bundle = await driver.Reader.ReadEntryBundleAsync(new TileAddress(0, 0, 4, IsEntries: true), CancellationToken.None);
        Assert.Equal(entries.SelectMany(e => Bundled(e)).ToArray(), bundle.ToArray());
        var tile = await driver.Reader.ReadTileAsync(new TileAddress(0, 0, 4), CancellationToken.None);
        Assert.Equal(leaves.SelectMany(l => l).ToArray(), tile.ToArray());

        long next = await driver.SequenceAsync([new byte[] { 0x65 }], CancellationToken.None);
        Assert.Equal(4, next);
        Assert.Equal(5, (await driver.IntegrateAsync(CancellationToken.None)).Size);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM Seq"));
    }

    [Fact]
    public async Task PublishedAtInSecondsByTheGoServer_HoldsOurPublicationForTheInterval()
    {
        var now = DateTimeOffset.UtcNow;
        await MakeGoSchemaAsync(publishedAt: now.ToUnixTimeSeconds());
        await using var driver = Driver();
        await driver.OpenAsync(CancellationToken.None);
        int made = 0;
        CheckpointMaker maker = (_, _, _) => { made++; return Task.FromResult(Array.Empty<byte>()); };

        var outcome = await driver.PublishAsync(new PublicationPace(TimeSpan.FromHours(1), TimeSpan.FromHours(2), now), maker, CancellationToken.None);

        Assert.False(outcome.Wrote);
        Assert.Equal(0, made);
        // Read as seconds, the next attempt is an hour after the Go server's publication, not in 1970.
        Assert.InRange(outcome.NextAttempt, now.AddMinutes(59), now.AddMinutes(61));
    }

    private AwsStorage Driver() => new(new Coordinator(_database), new Bucket(CloudRig.S3(), _bucket), maxOutstanding: 1 << 20);

    /// <summary>tessera's tables and first rows (spec: Tessera, SeqCoord, Seq, IntCoord, PubCoord
    /// with size, GCCoord), as the Go server made them before ours ever ran.</summary>
    private async Task MakeGoSchemaAsync(long publishedAt)
    {
        foreach (string sql in new[]
        {
            "CREATE TABLE Tessera (id INT UNSIGNED NOT NULL, compatibilityVersion BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
            "CREATE TABLE SeqCoord (id INT UNSIGNED NOT NULL, next BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
            "CREATE TABLE Seq (id INT UNSIGNED NOT NULL, seq BIGINT UNSIGNED NOT NULL, v LONGBLOB, PRIMARY KEY(id, seq))",
            "CREATE TABLE IntCoord (id INT UNSIGNED NOT NULL, seq BIGINT UNSIGNED NOT NULL, rootHash TINYBLOB NOT NULL, PRIMARY KEY(id))",
            "CREATE TABLE PubCoord (id INT UNSIGNED NOT NULL, publishedAt BIGINT NOT NULL, size BIGINT UNSIGNED, PRIMARY KEY(id))",
            "CREATE TABLE GCCoord (id INT UNSIGNED NOT NULL, fromSize BIGINT NOT NULL, PRIMARY KEY(id))",
            "INSERT INTO Tessera (id, compatibilityVersion) VALUES (0, 1)",
            "INSERT INTO SeqCoord (id, next) VALUES (0, 0)",
            "INSERT INTO IntCoord (id, seq, rootHash) VALUES (0, 0, @empty)",
            "INSERT INTO PubCoord (id, publishedAt, size) VALUES (0, @at, 0)",
            "INSERT INTO GCCoord (id, fromSize) VALUES (0, 0)",
        })
            await ExecuteAsync(sql, ("@empty", SHA256.HashData([])), ("@at", publishedAt));
    }

    /// <summary>The batch seq-4-entries.txt describes: entry i is 'a'+i repeated, of 2, 1, 300 and 65,535 bytes.</summary>
    private static (byte[][] Entries, byte[][] Leaves) FourEntries()
    {
        int[] lengths = [2, 1, 300, 65535];
        var entries = lengths.Select((n, i) => Enumerable.Repeat((byte)('a' + i), n).ToArray()).ToArray();
        var leaves = entries.Select(e => Rfc6962.LeafHash(e)).ToArray();
        string[] expected = File.ReadAllLines(TestData.PathOf("cloud/seq-4-entries.txt")).Where(l => !l.StartsWith('#')).Select(l => l.Split(' ')[2]).ToArray();
        Assert.Equal(expected, leaves.Select(Convert.ToHexStringLower).ToArray());
        return (entries, leaves);
    }

    private static byte[] Root(byte[][] leaves) =>
        Rfc6962.NodeHash(Rfc6962.NodeHash(leaves[0], leaves[1]), Rfc6962.NodeHash(leaves[2], leaves[3]));

    private static byte[] Bundled(byte[] entry) => [(byte)(entry.Length >> 8), (byte)entry.Length, .. entry];

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await _database.OpenConnectionAsync();
        await using var command = new MySqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            if (sql.Contains(name, StringComparison.Ordinal))
                command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = _database.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
