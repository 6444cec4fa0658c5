using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log.Antispam;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Posix.Antispam;

public class PersistentDedupIndexTests
{
    private static byte[] Id(int i) => SHA256.HashData(BitConverter.GetBytes(i));

    private static byte[] Ids(params int[] values) => values.SelectMany(Id).ToArray();

    [Fact]
    public void ANewIndex_IsEmpty_WithNextIndexZero()
    {
        using var dir = new TempDir();
        using var index = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance);
        Assert.Equal(0, index.ReadNextIndex());
        Assert.Null(index.Find(Id(1)));
    }

    [Fact]
    public void Commit_RecordsEachIdentityAtItsIndex_AndTheFirstIndexWins()
    {
        using var dir = new TempDir();
        using var index = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance);
        Assert.Equal(3, index.Commit(0, Ids(10, 11, 10)));
        Assert.Equal(5, index.Commit(3, Ids(12, 11)));
        Assert.Equal(0, index.Find(Id(10)));
        Assert.Equal(1, index.Find(Id(11)));
        Assert.Equal(3, index.Find(Id(12)));
        Assert.Null(index.Find(Id(13)));
        Assert.Equal(5, index.ReadNextIndex());
    }

    [Fact]
    public void Commit_FromAnotherStart_WritesNothing_AndSaysWhereTheIndexIs()
    {
        using var dir = new TempDir();
        using var index = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance);
        index.Commit(0, Ids(1, 2));
        Assert.Equal(2, index.Commit(0, Ids(3, 4)));
        Assert.Null(index.Find(Id(3)));
        Assert.Equal(2, index.ReadNextIndex());
    }

    [Fact]
    public void Reopening_KeepsEverything()
    {
        using var dir = new TempDir();
        using (var index = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance))
            index.Commit(0, Ids(Enumerable.Range(0, 100).ToArray()));
        using var reopened = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance);
        Assert.Equal(100, reopened.ReadNextIndex());
        Assert.Equal(42, reopened.Find(Id(42)));
    }

    [Fact]
    public void AGarbageFile_IsMovedAsideWithAWarning_AndAnEmptyIndexStarts()
    {
        using var dir = new TempDir();
        byte[] garbage = RandomNumberGenerator.GetBytes(8192);
        File.WriteAllBytes(dir["antispam.db"], garbage);
        var logger = new CapturingLogger();
        using var index = PersistentDedupIndex.Open(dir["antispam.db"], logger);
        Assert.Equal(0, index.ReadNextIndex());
        Assert.Equal(garbage, File.ReadAllBytes(dir["antispam.db.bad"]));
        Assert.Contains(logger.At(LogLevel.Warning), m => m.Contains("antispam.db.bad") && m.Contains("rebuilding"));
        index.Commit(0, Ids(1));
        Assert.Equal(0, index.Find(Id(1)));
    }

    [Fact]
    public void AnotherSqliteDatabase_IsNotTakenForAnIndex()
    {
        using var dir = new TempDir();
        using (var other = new SqliteConnection($"Data Source={dir["antispam.db"]};Pooling=False"))
        {
            other.Open();
            using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE identity (hash BLOB, log_index INTEGER); INSERT INTO identity VALUES (x'00', 5)";
            create.ExecuteNonQuery();
        }
        var logger = new CapturingLogger();
        using var index = PersistentDedupIndex.Open(dir["antispam.db"], logger);
        Assert.Equal(0, index.ReadNextIndex());
        Assert.True(File.Exists(dir["antispam.db.bad"]));
        Assert.Single(logger.At(LogLevel.Warning));
    }

    [Fact]
    public void ATruncatedFile_IsMovedAsideOnOpen()
    {
        using var dir = new TempDir();
        using (var index = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance))
            index.Commit(0, Ids(Enumerable.Range(0, 5000).ToArray()));
        byte[] whole = File.ReadAllBytes(dir["antispam.db"]);
        File.WriteAllBytes(dir["antispam.db"], whole[..(whole.Length / 3)]);
        var logger = new CapturingLogger();
        using var reopened = PersistentDedupIndex.Open(dir["antispam.db"], logger);
        Assert.Equal(0, reopened.ReadNextIndex());
        Assert.Contains(logger.Lines, l => l.EventId == 501);
    }

    [Fact]
    public void DamageBeyondWhatOpeningReads_AnswersUnknownWithAWarning_AndMarksTheFileForRebuilding()
    {
        using var dir = new TempDir();
        using (var index = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance))
            index.Commit(0, Ids(Enumerable.Range(0, 5000).ToArray()));
        DamageTheLastThird(dir["antispam.db"]);
        var logger = new CapturingLogger();
        using var reopened = PersistentDedupIndex.Open(dir["antispam.db"], logger);
        Assert.Equal(5000, reopened.ReadNextIndex());
        Assert.False(reopened.SuspectedDamaged);
        var answers = Enumerable.Range(0, 5000).Where(i => i % 37 == 0).Select(i => (i, Found: reopened.Find(Id(i)))).ToList();
        Assert.All(answers, a => Assert.True(a.Found is null || a.Found == a.i));
        Assert.Contains(answers, a => a.Found is null);
        Assert.True(reopened.SuspectedDamaged);
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Warning && l.EventId == 504);
    }

    /// <summary>Overwrites the last third of the file (pages the newest inserts split off) with garbage.</summary>
    internal static void DamageTheLastThird(string path)
    {
        byte[] whole = File.ReadAllBytes(path);
        RandomNumberGenerator.Fill(whole.AsSpan(whole.Length * 2 / 3));
        File.WriteAllBytes(path, whole);
    }

    [Fact]
    public void AJournalLeftWithoutItsDatabase_IsNotReplayedIntoANewOne()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["antispam.db-wal"], RandomNumberGenerator.GetBytes(4096));
        using var index = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance);
        Assert.Equal(0, index.ReadNextIndex());
    }

    [Fact]
    public async Task Rebuild_MovesTheFileAside_AndStartsEmpty_WhileLookupsGoOn()
    {
        using var dir = new TempDir();
        var logger = new CapturingLogger();
        using var index = PersistentDedupIndex.Open(dir["antispam.db"], logger);
        index.Commit(0, Ids(1, 2, 3));
        using var stop = new CancellationTokenSource();
        var looking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lookups = Task.Run(() =>
        {
            int n = 0;
            while (!stop.IsCancellationRequested)
            {
                long? found = index.Find(Id(2));
                Assert.True(found is null or 1);
                n++;
                looking.TrySetResult();
            }
            return n;
        });
        // The rebuild starts once lookups are under way, not after a guess at how long that takes.
        await looking.Task.WaitAsync(HangGuard.Timeout);
        index.Rebuild("a test said so");
        stop.Cancel();
        Assert.True(await lookups > 0);
        Assert.Equal(0, index.ReadNextIndex());
        Assert.Null(index.Find(Id(2)));
        Assert.True(File.Exists(dir["antispam.db.bad"]));
        Assert.Contains(logger.At(LogLevel.Warning), m => m.Contains("a test said so"));
    }

    [Fact]
    public async Task ManyConcurrentLookups_AllGetTheRightAnswer_WhileTheWriterCommits()
    {
        using var dir = new TempDir();
        using var index = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance);
        index.Commit(0, Ids(Enumerable.Range(0, 1000).ToArray()));
        var writer = Task.Run(() =>
        {
            for (int start = 1000; start < 3000; start += 100)
                index.Commit(start, Ids(Enumerable.Range(start, 100).ToArray()));
        });
        var readers = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                int value = (i * 7 + t) % 1000;
                Assert.Equal(value, index.Find(Id(value)));
                Assert.Null(index.Find(Id(-1 - value)));
            }
        }));
        await Task.WhenAll(readers.Append(writer)).WaitAsync(HangGuard.Timeout);
        Assert.Equal(2999, index.Find(Id(2999)));
    }

    [Fact]
    public void AnIdentityOfTheWrongLength_IsRefused()
    {
        using var dir = new TempDir();
        using var index = PersistentDedupIndex.Open(dir["antispam.db"], NullLogger.Instance);
        Assert.Throws<ArgumentException>(() => index.Find(new byte[31]));
    }
}
