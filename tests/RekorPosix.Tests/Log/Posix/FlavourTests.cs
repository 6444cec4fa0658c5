using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log.Posix;

/// <summary>The posix flavour's log: the append lifecycle over a log directory.</summary>
public class FlavourTests
{
    private static readonly AppendOptions Fast = new()
    {
        BatchMaxAge = TimeSpan.FromMilliseconds(5),
        CheckpointInterval = TimeSpan.FromMilliseconds(100),
    };

    private static Task<AppendLifecycle> Start(string dir, AppendOptions? options = null) =>
        Flavour.StartLogAsync(dir, TestLogKey.Signer(), options ?? Fast, NullLogger.Instance);

    [Fact]
    public async Task ATesseraLog_IsContinued_AndStaysConsistentWithEveryOldCheckpoint()
    {
        using var dir = new TempDir();
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir.Path);
        await using (var log = await Start(dir.Path))
        {
            var adds = Enumerable.Range(0, 300).Select(i => log.AddAsync(Encoding.UTF8.GetBytes($"entry {i}"), CancellationToken.None)).ToList();
            var indexes = await Task.WhenAll(adds).WaitAsync(HangGuard.Timeout);
            Assert.Equal(Enumerable.Range(15, 300).Select(i => (long)i), indexes);
            var published = await log.AwaitPublicationAsync(314, CancellationToken.None).WaitAsync(HangGuard.Timeout);
            Assert.Equal(315, published.Size);
        }

        var verifier = TestLogKey.Verifier();
        var latest = Checkpoint.Parse(SignedNote.Open(File.ReadAllText(dir["checkpoint"]), [verifier]));
        Assert.Equal(315, latest.Size);
        var storage = new PosixStorage(dir.Path);
        var proofs = new ProofBuilder(latest.Size, storage.Files.ReadTile);
        for (int n = 0; n <= 15; n++)
        {
            var old = Checkpoint.Parse(SignedNote.Open(File.ReadAllText(dir[$"checkpoint.{n}"]), [verifier]));
            Assert.True(MerkleProof.VerifyConsistency(old.Size, latest.Size, old.RootHash, latest.RootHash, proofs.Consistency(old.Size)),
                $"checkpoint.{n} is not consistent with the grown log");
        }
        var audit = await new LogAuditor(storage.Reader, verifier).RunAsync(CancellationToken.None);
        Assert.True(audit.Ok, audit.Message);
    }

    [Fact]
    public async Task AddedEntries_AreDurableAtTheirIndex_AndCoveredByAPublishedCheckpoint()
    {
        using var dir = new TempDir();
        await using var log = await Start(dir.Path);
        long index = await log.AddAsync("hello"u8.ToArray(), CancellationToken.None);
        Assert.Equal(0, index);
        // Durable before publication: the bundle is on disk as soon as Add returned.
        Assert.Equal("hello", Encoding.UTF8.GetString(EntryBundle.Parse(File.ReadAllBytes(dir["tile/entries/000.p/1"]))[0].Span));
        var checkpoint = await log.AwaitPublicationAsync(index, CancellationToken.None).WaitAsync(HangGuard.Timeout);
        string text = SignedNote.Open(Encoding.UTF8.GetString(checkpoint.Note), [TestLogKey.Verifier()]);
        var parsed = Checkpoint.Parse(text);
        Assert.Equal(1, parsed.Size);
        Assert.Equal(Rfc6962.LeafHash("hello"u8), parsed.RootHash);
        Assert.Equal(checkpoint.Note, File.ReadAllBytes(dir["checkpoint"]));
    }

    [Fact]
    public async Task AFreshLog_PublishesASizeZeroCheckpointAtOnce()
    {
        using var dir = new TempDir();
        await using var log = await Start(dir.Path, Fast with { CheckpointInterval = TimeSpan.FromSeconds(10) });
        Assert.Equal(0, log.LatestCheckpoint!.Size);
        Assert.StartsWith($"{TestData.TesseraOrigin}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— ", File.ReadAllText(dir["checkpoint"]));
    }

    [Fact]
    public async Task Shutdown_PublishesACheckpointCoveringEverything_EvenBeforeTheInterval()
    {
        using var dir = new TempDir();
        var log = await Start(dir.Path, Fast with { CheckpointInterval = TimeSpan.FromMinutes(5), RepublishInterval = TimeSpan.FromMinutes(10) });
        var adds = Enumerable.Range(0, 50).Select(i => log.AddAsync(new[] { (byte)i }, CancellationToken.None)).ToList();
        await Task.WhenAll(adds);
        await log.ShutdownAsync(CancellationToken.None);
        var checkpoint = Checkpoint.Parse(SignedNote.Open(File.ReadAllText(dir["checkpoint"]), [TestLogKey.Verifier()]));
        Assert.Equal(50, checkpoint.Size);
        await Assert.ThrowsAsync<LogStoppedException>(() => log.AddAsync(new byte[] { 1 }, CancellationToken.None));
    }

    [Fact]
    public async Task EntrySizeLimit_Is65535Bytes()
    {
        using var dir = new TempDir();
        await using var log = await Start(dir.Path);
        Assert.Equal(0, await log.AddAsync(new byte[65535], CancellationToken.None));
        Assert.Equal(65536, Assert.Throws<EntryTooLargeException>(() => { _ = log.AddAsync(new byte[65536], CancellationToken.None); }).Length);
        Assert.Equal(1, await log.AddAsync(Array.Empty<byte>(), CancellationToken.None));
    }

    [Fact]
    public async Task Restart_ContinuesFromTheDurableState()
    {
        using var dir = new TempDir();
        await using (var log = await Start(dir.Path))
            await log.AddAsync("first"u8.ToArray(), CancellationToken.None);
        await using (var log = await Start(dir.Path))
        {
            Assert.Equal(1, log.LatestCheckpoint!.Size);
            Assert.Equal(1, await log.AddAsync("second"u8.ToArray(), CancellationToken.None));
        }
        Assert.True((await new LogAuditor(new PosixStorage(dir.Path).Reader, TestLogKey.Verifier()).RunAsync(CancellationToken.None)).Ok);
    }

    /// <summary>Two processes on one directory with different --hostname or keys (two servers
    /// started in different directories each generate a key) would publish two logs' checkpoints
    /// in turn at one place: the second is refused at start with a message naming the flag.</summary>
    [Fact]
    public async Task Start_RefusesADirectoryWhoseCheckpointHasAnotherOrigin()
    {
        using var dir = new TempDir();
        await using (var first = await Start(dir.Path))
        {
        }
        var otherOrigin = CheckpointSigner.For(TestLogKey.Load(), "other.example/log");
        var error = await Assert.ThrowsAsync<LogStateException>(() => Flavour.StartLogAsync(dir.Path, otherOrigin, Fast, NullLogger.Instance));
        Assert.Contains("origin 'example.com/log/testdata', not 'other.example/log'", error.Message);
        Assert.Contains("--hostname", error.Message);
    }

    [Fact]
    public async Task Start_RefusesADirectoryWhoseCheckpointIsNotSignedByItsKey()
    {
        using var dir = new TempDir();
        await using (var first = await Start(dir.Path))
        {
        }
        using var other = LogSigningKey.Load(TestData.PathOf("rekor-tiles-pki/ed25519-priv-key.pem"));
        var otherKey = CheckpointSigner.For(other, TestData.TesseraOrigin);
        var error = await Assert.ThrowsAsync<LogStateException>(() => Flavour.StartLogAsync(dir.Path, otherKey, Fast, NullLogger.Instance));
        Assert.Contains("is not signed by this signer", error.Message);
        Assert.Contains("--signer-filepath", error.Message);

        // Its own key is accepted, and so is a log with no checkpoint yet.
        await using var same = await Start(dir.Path);
        using var fresh = new TempDir();
        await using var created = await Flavour.StartLogAsync(fresh.Path, otherKey, Fast, NullLogger.Instance);
    }

    /// <summary>
    /// Regression (tests/reliability/twoprocs.py, freeze beside a writer): after `freeze` in another
    /// process, the writer's shutdown died with an unhandled "frozen" exception (exit 1), and the
    /// callers whose entries the frozen checkpoint covers waited until they timed out. The writer
    /// now takes the frozen checkpoint as final: its waiters get it, it stops cleanly.
    /// </summary>
    [Fact]
    public async Task AFreezeByAnotherProcess_IsTheFinalCheckpoint_ForTheWaitersAndAtShutdown()
    {
        using var dir = new TempDir();
        // No publication of its own within the test, however slow the machine: only the freeze.
        var slow = Fast with { CheckpointInterval = TimeSpan.FromMinutes(10) };
        var log = await Start(dir.Path, slow);
        long index = await log.AddAsync("covered by the freeze"u8.ToArray(), CancellationToken.None).WaitAsync(HangGuard.Timeout);
        var waiting = log.AwaitPublicationAsync(index, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        var other = new PosixStorage(dir.Path);
        var signer = TestLogKey.Signer();
        // The writer's publisher takes the treeState lock for a moment after each batch, and a
        // freeze that meets it writes nothing (null): as an operator would, try again.
        FreezeOutcome? frozen = null;
        await Eventually.True(() => (frozen = other.TryFreezeAsync(signer.FinalMaker(DateTimeOffset.UtcNow), CancellationToken.None)
            .GetAwaiter().GetResult()) is not null, "the freeze found the lock free");
        Assert.Equal(index + 1, frozen!.Value.Final.Size);

        await log.ShutdownAsync(CancellationToken.None).WaitAsync(HangGuard.Timeout);
        var final = await waiting.WaitAsync(HangGuard.Timeout);
        Assert.Equal(index + 1, final.Size);
        Assert.Equal(File.ReadAllBytes(dir["checkpoint"]), final.Note);
        await log.DisposeAsync();
    }
}
