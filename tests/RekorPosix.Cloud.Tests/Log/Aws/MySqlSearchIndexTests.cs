using System.Text;
using MySqlConnector;
using RekorPosix.Log.Aws;
using RekorPosix.Log.Search;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>The search index in the log's MySQL database: commits idempotent and coordinated
/// through the next index, queries by key with AND/OR and paging.</summary>
public sealed class MySqlSearchIndexTests : IDisposable
{
    private readonly MySqlDataSource _database = new(RekorPosix.Log.Flavour.ConnectionString(new() { MySqlDsn = CloudRig.NewDatabase() }));

    private static byte[] Email(int i) => SearchKey.Email($"user{i}@example.com");

    /// <summary>Rows for entries first..first+count-1: each has its leaf-like key, and the email of index % 3.</summary>
    private static byte[] Rows(long first, int count)
    {
        var rows = new SearchRows();
        for (long i = first; i < first + count; i++)
        {
            rows.Add(SearchKey.LeafHash(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{i}"))), i);
            rows.Add(Email((int)(i % 3)), i);
            if (i % 2 == 0)
                rows.Add(SearchKey.Uri("https://even.example"), i);
        }
        return rows.Bytes.ToArray();
    }

    private ISearchIndex Open() => MySqlSearchIndex.In(_database)(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    private long Count()
    {
        using var connection = _database.OpenConnection();
        using var command = new MySqlCommand("SELECT COUNT(*) FROM SearchKeys", connection);
        return Convert.ToInt64(command.ExecuteScalar());
    }

    [Fact]
    public void Commits_MoveTheNextIndex_AndAStaleCommitChangesNothing()
    {
        using var index = Open();
        Assert.Equal(0, index.ReadNextIndex());
        Assert.Equal(10, index.Commit(0, 10, Rows(0, 10)));
        long rows = Count();
        // Another server's follower with the same batch finds the position moved and stores nothing.
        Assert.Equal(10, index.Commit(0, 10, Rows(0, 10)));
        Assert.Equal(rows, Count());
        Assert.Equal(20, index.Commit(10, 10, Rows(10, 10)));
        // A second opening (another server, a restart) sees the same position and rows.
        using var again = Open();
        Assert.Equal(20, again.ReadNextIndex());
    }

    [Fact]
    public void ReindexingARange_AddsNoRow()
    {
        using var index = Open();
        index.Commit(0, 30, Rows(0, 30));
        long rows = Count();
        index.Rebuild("test");
        Assert.Equal(0, index.ReadNextIndex());
        Assert.Equal(0, Count());
        index.Commit(0, 30, Rows(0, 30));
        Assert.Equal(rows, Count());
    }

    [Fact]
    public async Task Queries_AndOr_Paged_WithinTheBound()
    {
        using var index = Open();
        index.Commit(0, 30, Rows(0, 30));
        var even = SearchKey.Uri("https://even.example");
        async Task<long[]> Find(bool all, long after, long below, int limit, params byte[][] keys) =>
            [.. await index.FindAsync(new SearchQuery(keys, all), new SearchPage(after, below, limit), CancellationToken.None)];

        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 == 1).Select(i => (long)i), await Find(false, -1, 30, 100, Email(1)));
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 == 1 && i % 2 == 0).Select(i => (long)i), await Find(true, -1, 30, 100, Email(1), even));
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 == 1 || i % 2 == 0).Select(i => (long)i), await Find(false, -1, 30, 100, Email(1), even));
        Assert.Equal(new long[] { 4, 7, 10 }, await Find(false, 1, 30, 3, Email(1)));
        Assert.Equal(new long[] { 1, 4, 7 }, await Find(false, -1, 10, 100, Email(1)));
        Assert.Empty(await Find(false, -1, 30, 100, Email(9)));
    }

    [Fact]
    public async Task TheAwsFlavour_WithSearchIndex_IndexesWhatItLogs_AndAnotherServerAnswersToo()
    {
        var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var alice = FulcioCertificates.Create(key, email: "alice@example.com", issuer: "https://accounts.example.com");
        var settings = new RekorPosix.Http.ServeSettings
        {
            Storage = new() { Bucket = CloudRig.NewBucket(), MySqlDsn = CloudRig.NewDatabase() },
            Append = new() { CheckpointInterval = TimeSpan.FromSeconds(1), BatchMaxAge = TimeSpan.FromMilliseconds(5) },
            SearchIndex = true,
        };
        var loggers = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        await using (var first = await RekorPosix.Log.Flavour.OpenAsync(settings, TestLogKey.Signer(), null, loggers))
        {
            for (int i = 0; i < 5; i++)
                await first.Appender!.AddAsync(RekorBodies.WithKey(key.ExportSubjectPublicKeyInfo(), RekorBodies.Digest(i)), CancellationToken.None);
            await first.Appender!.AddAsync(RekorBodies.WithCertificate(alice, RekorBodies.Digest(10)), CancellationToken.None);
            await Eventually.True(() => first.Search!.NextIndex == 6, "the search follower indexed the six entries");
            var byEmail = await first.Search!.FindAsync(new SearchQuery([SearchKey.Email("ALICE@example.com")], false), new SearchPage(-1, 6, 10), CancellationToken.None);
            Assert.Equal([5L], byEmail);
        }
        await using var second = await RekorPosix.Log.Flavour.OpenAsync(settings, TestLogKey.Signer(), null, loggers);
        var byKey = await second.Search!.FindAsync(new SearchQuery([SearchKey.PublicKey(System.Security.Cryptography.SHA256.HashData(key.ExportSubjectPublicKeyInfo()))], false),
            new SearchPage(-1, 6, 10), CancellationToken.None);
        Assert.Equal([0L, 1, 2, 3, 4, 5], byKey);
    }

    public void Dispose() => _database.Dispose();
}
