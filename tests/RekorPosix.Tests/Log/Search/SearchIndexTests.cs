using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Http.Search;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Search;

/// <summary>The search index's follower in a real server: across a restart, and rebuilt from the bundles.</summary>
public class SearchIndexTests
{
    private static async Task<RunningServer> Indexed(string dir, long size)
    {
        var server = await RunningServer.StartAsync(dir, s => s with { SearchIndex = true });
        await Eventually.True(() => IndexRetrieveRouteTests.IndexedSize(server).Result == size, $"the search index covers {size} entries");
        return server;
    }

    private static async Task<string[]> Emails(RunningServer server)
    {
        using var response = await server.Http.PostAsJsonAsync("/api/v2/index/retrieve", new { email = "alice@example.com", pageSize = 1000 });
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("logIndexes").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    private static long Rows(string dir)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dir, ".state", "search.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM entry_key";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The rows of an index built in one go over the same entries (the search command on a copy).</summary>
    private static async Task<long> RowsBuiltAtOnce(int size)
    {
        using var copy = new GrowingTestLog().Append(SearchedEntries.Range(0, size)).Publish();
        Assert.Equal(0, await SearchCommand.RunAsync(copy.Dir, new([], [], ["a@b"], [], [], "or"), TextWriter.Null, TextWriter.Null, CancellationToken.None));
        return Rows(copy.Dir);
    }

    [Fact]
    public async Task AfterARestart_TheFollowerResumes_FindingOldAndNewEntries_WithoutDuplicateRows()
    {
        using var log = new GrowingTestLog().Append(SearchedEntries.Range(0, 300)).Publish();
        await using (var first = await Indexed(log.Dir, 300))
            Assert.Equal(SearchedEntries.Expected(300, t => t.Contains("email")), await Emails(first));
        long rowsBefore = Rows(log.Dir);
        log.Append(SearchedEntries.Range(300, 520)).Publish();
        await using var second = await Indexed(log.Dir, 520);
        Assert.Equal(SearchedEntries.Expected(520, t => t.Contains("email")), await Emails(second));
        Assert.True(Rows(log.Dir) > rowsBefore);
        Assert.Equal(await RowsBuiltAtOnce(520), Rows(log.Dir));
    }

    [Theory]
    [InlineData("deleted")]
    [InlineData("garbage")]
    public async Task ADeletedOrDamagedIndex_IsRebuilt_WithTheSameAnswers(string damage)
    {
        using var log = new GrowingTestLog().Append(SearchedEntries.Range(0, 300)).Publish();
        string[] before;
        await using (var first = await Indexed(log.Dir, 300))
            before = await Emails(first);
        long rows = Rows(log.Dir);
        string db = Path.Combine(log.Dir, ".state", "search.db");
        if (damage == "deleted")
            File.Delete(db);
        else
            File.WriteAllBytes(db, new byte[8192]);
        await using var second = await Indexed(log.Dir, 300);
        Assert.Equal(before, await Emails(second));
        Assert.Equal(rows, Rows(log.Dir));
        Assert.Equal(damage == "garbage", File.Exists(db + ".bad"));
    }

    [Fact]
    public async Task AReadOnlyServer_ServesTheExistingIndex()
    {
        using var log = new GrowingTestLog().Append(SearchedEntries.Range(0, 300)).Publish();
        await using (var writer = await Indexed(log.Dir, 300))
        {
        }
        await using var reader = await RunningServer.StartAsync(log.Dir, s => s with { SearchIndex = true, ReadOnly = true });
        Assert.Equal(SearchedEntries.Expected(300, t => t.Contains("email")), await Emails(reader));
    }
}
