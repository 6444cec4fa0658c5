using RekorPosix.Monitoring;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Monitoring;

public class LogCatchUpTests
{
    private static readonly WatchList Watch = WatchList.Parse(MonitoredEntries.WatchFile);

    private static Task<CatchUpResult> CatchUpAsync(string dir, VerifiedCheckpoint? from, VerifiedCheckpoint to) =>
        new LogCatchUp(new TileFetcher(new DirectoryLogSource(dir)), Watch, new CatchUpProgress(TextWriter.Null, TimeSpan.FromDays(1)))
            .RunAsync(from, to, CancellationToken.None);

    [Fact]
    public async Task CatchingUpStepByStep_AcrossTileBoundaries_FindsWhatOneStepFinds()
    {
        // Sizes around the ends of bundles and of the level-1 tile's first hashes.
        int[] sizes = [1, 7, 255, 256, 257, 300, 511, 512, 513, 555, 556, 700];
        using var log = new GrowingTestLog();
        var checkpoints = new List<VerifiedCheckpoint>();
        int size = 0;
        foreach (int next in sizes)
        {
            log.Append(MonitoredEntries.Range(size, next)).Publish();
            checkpoints.Add(VerifiedCheckpoint.Verify(log.Checkpoint, TestLogKey.Verifier()));
            size = next;
        }

        var found = new List<long>();
        long entries = 0;
        VerifiedCheckpoint? from = null;
        foreach (var to in checkpoints)
        {
            var step = await CatchUpAsync(log.Dir, from, to);
            found.AddRange(step.Findings.Select(f => f.Index));
            entries += step.Tally.Total;
            from = to;
        }
        var whole = await CatchUpAsync(log.Dir, null, checkpoints[^1]);

        Assert.Equal(MonitoredEntries.Watched(0, 700), found);
        Assert.Equal(whole.Findings.Select(f => f.Index), found);
        Assert.Equal(700, entries);
    }

    [Fact]
    public async Task ALogWrittenByGo_FromAnOldCheckpoint_WhoseOldPartialTilesAreGone()
    {
        // Only the tiles of size 66,000 are stored: the edge at 1,000 is cut from them.
        var key = NoteVerifiers.FromVerifierKey(File.ReadAllText(TestData.PathOf("xmod-log/vkey")).Trim());
        var from = VerifiedCheckpoint.Verify(File.ReadAllBytes(TestData.PathOf("xmod-log/checkpoint.1000")), key);
        var to = VerifiedCheckpoint.Verify(File.ReadAllBytes(TestData.PathOf("xmod-log/log/checkpoint")), key);
        Assert.False(File.Exists(TestData.PathOf("xmod-log/log/tile/0/003.p/232")));

        var result = await CatchUpAsync(TestData.PathOf("xmod-log/log"), from, to);

        Assert.Equal(65_000, result.Tally.Total);
        // Its entries are short strings, not Rekor entries: each is reported as such.
        Assert.Equal(65_000, result.Tally.Malformed);
        Assert.Equal(1000, result.Findings[0].Index);
    }

    [Fact]
    public async Task TheSameCheckpointAgain_ReadsNothing()
    {
        using var log = new GrowingTestLog().Append(MonitoredEntries.Range(0, 10)).Publish();
        var checkpoint = VerifiedCheckpoint.Verify(log.Checkpoint, TestLogKey.Verifier());
        Directory.Delete(log["tile"], recursive: true);

        var result = await CatchUpAsync(log.Dir, checkpoint, checkpoint);

        Assert.Empty(result.Findings);
        Assert.Equal(0, result.Tally.Total);
    }
}
