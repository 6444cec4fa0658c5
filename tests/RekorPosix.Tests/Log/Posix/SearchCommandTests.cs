using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Posix;

public class SearchCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> Run(string dir, SearchCriteriaFlags flags)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await SearchCommand.RunAsync(dir, flags, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static SearchCriteriaFlags Flags(string[]? digests = null, string[]? keys = null, string[]? emails = null, string[]? uris = null,
        string[]? issuers = null, string op = "or") => new(digests ?? [], keys ?? [], emails ?? [], uris ?? [], issuers ?? [], op);

    private static string Lines(IEnumerable<string> indices) => string.Concat(indices.Select(i => i + Environment.NewLine));

    [Fact]
    public async Task PrintsTheMatches_OnePerLine_BuildingTheIndexFirst()
    {
        using var log = new GrowingTestLog().Append(SearchedEntries.Range(0, 300)).Publish();
        Assert.False(File.Exists(Path.Combine(log.Dir, ".state", "search.db")));
        var (exit, output, error) = await Run(log.Dir, Flags(digests: [$"sha256:{SearchedEntries.Sha256Hex(1)}"]));
        Assert.Equal((0, "1\n200\n", ""), (exit, output.Replace(Environment.NewLine, "\n"), error));
        Assert.True(File.Exists(Path.Combine(log.Dir, ".state", "search.db")));

        File.WriteAllText(log["key.pem"], SearchedEntries.Pem(SearchedEntries.KeyA));
        (exit, output, _) = await Run(log.Dir, Flags(keys: [log["key.pem"]]));
        Assert.Equal(Lines(SearchedEntries.Expected(300, t => t.Contains("key:A"))), output);

        (exit, output, _) = await Run(log.Dir, Flags(emails: ["ALICE@example.com"], issuers: [SearchedEntries.BuilderIssuer], op: "and"));
        Assert.Equal("3" + Environment.NewLine, output);
    }

    [Fact]
    public async Task CatchesUpWithEntriesAppendedSinceTheLastRun()
    {
        using var log = new GrowingTestLog().Append(SearchedEntries.Range(0, 100)).Publish();
        var (_, output, _) = await Run(log.Dir, Flags(uris: [SearchedEntries.BuilderUri]));
        Assert.Equal(Lines(SearchedEntries.Expected(100, t => t.Contains("uri"))), output);
        log.Append(SearchedEntries.Range(100, 300));
        (_, output, _) = await Run(log.Dir, Flags(uris: [SearchedEntries.BuilderUri]));
        Assert.Equal(Lines(SearchedEntries.Expected(300, t => t.Contains("uri"))), output);
    }

    [Theory]
    [InlineData("nodigest", "--digest: unknown hash algorithm")]
    [InlineData("email", "--email: \"nobody\" is not an email address")]
    [InlineData("none", "give at least one of --digest")]
    [InlineData("operator", "--operator: \"xor\" is neither and nor or")]
    [InlineData("keyfile", "--public-key: ")]
    [InlineData("dir", "no such directory")]
    public async Task Problems_AreNamed_WithExit2(string problem, string message)
    {
        using var log = new GrowingTestLog().Append(SearchedEntries.Range(0, 3)).Publish();
        var flags = problem switch
        {
            "nodigest" => Flags(digests: ["md5:00"]),
            "email" => Flags(emails: ["nobody"]),
            "operator" => Flags(emails: ["a@b"], op: "xor"),
            "keyfile" => Flags(keys: [log["missing.pem"]]),
            "dir" => Flags(emails: ["a@b"]),
            _ => Flags(),
        };
        var (exit, output, error) = await Run(problem == "dir" ? log["nothere"] : log.Dir, flags);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("search: ", error);
        Assert.Contains(message, error);
    }
}
