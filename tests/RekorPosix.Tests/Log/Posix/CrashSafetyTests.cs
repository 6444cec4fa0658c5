using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;
using Xunit.Abstractions;

namespace RekorPosix.Tests.Log.Posix;

/// <summary>
/// Appends from a child process and kills it with SIGKILL at random moments, over and over, then
/// checks the promises: every acknowledged entry is at its index with its bytes, fsck passes, and
/// every checkpoint ever seen is consistent with the final one. The bytes expected on disk are the
/// feeder's own record of what it sent: the child's echo only says which sent line an index holds.
/// CRASH_ROUNDS sets the number of rounds (default 20); CRASH_SEED replays a run.
/// </summary>
public class CrashSafetyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigkillAtRandomMoments_LosesNoAcknowledgedEntry_AndNeverPublishesAnInconsistentCheckpoint()
    {
        int rounds = Rounds(Environment.GetEnvironmentVariable("CRASH_ROUNDS"));
        int seed = int.TryParse(Environment.GetEnvironmentVariable("CRASH_SEED"), out int s) ? s : Environment.TickCount;
        output.WriteLine($"{rounds} rounds, CRASH_SEED={seed}");
        var random = new Random(seed);
        using var dir = new TempDir();
        string log = dir["log"];
        // Every line fed to a child, with the bytes that went down its stdin.
        var sent = new ConcurrentDictionary<string, byte[]>();
        var acked = new ConcurrentDictionary<long, byte[]>();
        var claimed = new ConcurrentDictionary<string, long>();
        var checkpoints = new ConcurrentDictionary<string, Checkpoint>();
        var verifier = TestLogKey.Verifier();
        int killed = 0;

        for (int round = 0; round < rounds; round++)
        {
            // Most rounds feed entries until the kill; some close stdin and let the child finish.
            bool finish = random.Next(10) == 0;
            int batch = random.Next(1, 400);
            int killAfterMs = finish ? int.MaxValue : random.Next(0, 1500);
            int feedSeed = random.Next();
            var info = ServerBinary.StartInfo("add", "--storage-dir", log, "--signer-filepath", TestLogKey.PemPath,
                "--hostname", TestData.TesseraOrigin, "--stdin-lines", "--checkpoint-interval", "100ms",
                "--batch-max-age", "5ms", "--batch-max-size", batch.ToString());
            using var child = Process.Start(info)!;
            var stderr = child.StandardError.ReadToEndAsync();
            var reader = Task.Run(async () =>
            {
                while (await child.StandardOutput.ReadLineAsync() is { } line)
                    Acknowledge(line, sent, claimed, acked);
            });
            int thisRound = round;
            var feeder = Task.Run(async () =>
            {
                var feed = new Random(feedSeed);
                try
                {
                    for (int i = 0; !finish || i < 500; i++)
                    {
                        string line = $"round {thisRound} entry {i} {feed.Next():x8}";
                        // Recorded before it is written: the echo can come back at once.
                        sent[line] = child.StandardInput.Encoding.GetBytes(line);
                        await child.StandardInput.WriteLineAsync(line);
                        if (i % feed.Next(1, 64) == 0)
                        {
                            await child.StandardInput.FlushAsync();
                            await Task.Delay(feed.Next(0, 3));
                        }
                    }
                    child.StandardInput.Close();
                }
                catch (IOException) { } // the child died under us: that is the point
            });
            var watch = Stopwatch.StartNew();
            while (watch.ElapsedMilliseconds < killAfterMs && !child.HasExited)
            {
                Observe(log, verifier, checkpoints);
                await Task.Delay(20);
            }
            bool kill = !child.HasExited;
            if (kill)
            {
                child.Kill();
                killed++;
            }
            await child.WaitForExitAsync();
            await reader;
            await feeder;
            string errors = await stderr;
            // 137 = killed by SIGKILL; the child may also have finished just before the kill.
            Assert.True(child.ExitCode == 0 || (kill && child.ExitCode == 137), $"round {round}: exit {child.ExitCode}: {errors}");
            Assert.DoesNotContain("Unhandled", errors);
            Observe(log, verifier, checkpoints);
        }
        output.WriteLine($"{killed} of {rounds} rounds killed, {acked.Count} entries acknowledged, {checkpoints.Count} checkpoints seen");

        // One clean run so that a final checkpoint covers everything integrated.
        var (code, _, err) = ServerBinary.Run("add", "--storage-dir", log, "--signer-filepath", TestLogKey.PemPath,
            "--hostname", TestData.TesseraOrigin, "--stdin-lines");
        Assert.True(code == 0, err);
        Observe(log, verifier, checkpoints);

        var audit = PosixStorageCalls.Audit(log, verifier);
        Assert.True(audit.Ok, audit.Message);
        var final = audit.Checkpoint!;
        Assert.Equal(new PosixStorage(log).ReadTreeState().Size, final.Size);

        var storage = new PosixStorage(log);
        foreach (var (index, bytes) in acked)
        {
            Assert.True(index < final.Size, $"acknowledged index {index} is beyond the log ({final.Size})");
            var bundle = storage.ReadEntryBundle(new TileAddress(0, index / 256, TileMath.EntryBundleWidth(index / 256, final.Size), IsEntries: true));
            Assert.True(bytes.AsSpan().SequenceEqual(EntryBundle.Parse(bundle)[(int)(index % 256)].Span),
                $"entry {index} on disk is not the line sent as \"{Encoding.UTF8.GetString(bytes)}\"");
        }
        var proofs = new ProofBuilder(final.Size, storage.ReadTile);
        foreach (var seen in checkpoints.Values)
        {
            Assert.True(seen.Size <= final.Size);
            Assert.True(MerkleProof.VerifyConsistency(seen.Size, final.Size, seen.RootHash, final.RootHash, proofs.Consistency(seen.Size)),
                $"checkpoint at size {seen.Size} is not consistent with the final one at {final.Size}");
        }
    }

    /// <summary>
    /// Takes one "index&lt;TAB&gt;line" echo of the child. The line must be one the feeder sent and
    /// not yet acknowledged; the index then expects the feeder's bytes for it, not the echo's.
    /// </summary>
    private static void Acknowledge(string echo, ConcurrentDictionary<string, byte[]> sent,
        ConcurrentDictionary<string, long> claimed, ConcurrentDictionary<long, byte[]> acked)
    {
        int tab = echo.IndexOf('\t');
        Assert.True(tab > 0, $"not an index<TAB>line echo: {echo}");
        long index = long.Parse(echo[..tab]);
        string line = echo[(tab + 1)..];
        Assert.True(sent.TryGetValue(line, out byte[]? bytes), $"index {index} claims a line that was never sent: {line}");
        Assert.True(claimed.TryAdd(line, index), $"line \"{line}\" acknowledged at index {index} and at {claimed.GetValueOrDefault(line)}");
        Assert.True(acked.TryAdd(index, bytes), $"index {index} given twice: {echo}");
    }

    /// <summary>
    /// CRASH_ROUNDS, 20 when unset. Zero rounds, or a value that is not a number, would kill nothing
    /// and pass: refused.
    /// </summary>
    internal static int Rounds(string? setting)
    {
        if (string.IsNullOrEmpty(setting))
            return 20;
        if (!int.TryParse(setting, out int rounds) || rounds < 1)
            throw new ArgumentException($"CRASH_ROUNDS={setting}: the crash test needs a number of rounds of at least 1");
        return rounds;
    }

    [Theory]
    [InlineData(null, 20)]
    [InlineData("", 20)]
    [InlineData("1", 1)]
    [InlineData("200", 200)]
    public void Rounds_TakesCrashRounds(string? setting, int expected) => Assert.Equal(expected, Rounds(setting));

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("many")]
    public void Rounds_RefusesARunThatKillsNothing(string setting) =>
        Assert.Contains("at least 1", Assert.Throws<ArgumentException>(() => Rounds(setting)).Message);

    /// <summary>Records the current checkpoint (verified) if there is one.</summary>
    private static void Observe(string log, INoteVerifier verifier, ConcurrentDictionary<string, Checkpoint> seen)
    {
        string note;
        try
        {
            note = File.ReadAllText(Path.Combine(log, "checkpoint"));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return;
        }
        string text = SignedNote.Open(note, [verifier]);
        seen.TryAdd(text, Checkpoint.Parse(text));
    }
}
