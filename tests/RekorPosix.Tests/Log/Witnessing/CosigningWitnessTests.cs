using RekorPosix.Log.Witnessing;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Witnessing;

public class CosigningWitnessTests
{
    private static readonly string Key = WitnessStateStore.KeyOf(WitnessedTestLog.Origin);
    private readonly WitnessedTestLog _log = new();
    private readonly Cosigner _cosigner = WitnessedTestLog.NewCosigner();

    private CosigningWitness Witness(TempDir dir) => new(WitnessedTestLog.Logs, _cosigner, new WitnessStateStore(dir.Path));

    [Fact]
    public async Task ACosignature_IsStoredBeforeItIsAnswered_AndVerifiesWithTheWitnessKey()
    {
        using var dir = new TempDir();
        var witness = Witness(dir);

        var answer = await witness.AddCheckpointAsync(_log.Request(0, 5), CancellationToken.None);

        Assert.True(answer.Verdict.Cosigns);
        string line = answer.Cosignature!;
        Assert.StartsWith("— witness.example/w1 ", line);
        Assert.EndsWith("\n", line);
        var verifier = WitnessKey.Parse(_cosigner.VerifierKey).CreateVerifier();
        Assert.Equal(_log.Text(5), SignedNote.Open(_log.Note(5) + line, [verifier]));
        Assert.Equal(_log.Note(5) + line, witness.Latest(Key)!.Note);
    }

    [Fact]
    public async Task TheLogGrows_AndEachConsistentCheckpointIsCosigned()
    {
        using var dir = new TempDir();
        var witness = Witness(dir);
        int old = 0;
        foreach (int size in new[] { 1, 3, 3, 8, 20, 64 })
        {
            var answer = await witness.AddCheckpointAsync(_log.Request(old, size), CancellationToken.None);
            Assert.True(answer.Verdict.Cosigns, $"{old} -> {size}: {answer.Verdict.Reason}");
            old = size;
        }
        Assert.Equal(64, witness.Latest(Key)!.Checkpoint.Size);
    }

    [Fact]
    public async Task ARefusal_StoresNothing()
    {
        using var dir = new TempDir();
        var witness = Witness(dir);
        var forged = await witness.AddCheckpointAsync(_log.Request(0, 5, note: AddCheckpointEvaluationTests.Forged(_log.Note(5))), CancellationToken.None);
        var stale = await witness.AddCheckpointAsync(_log.Request(3, 5), CancellationToken.None);
        Assert.Equal((403, 409), (forged.Verdict.Status, stale.Verdict.Status));
        Assert.Null(forged.Cosignature);
        Assert.Equal(WitnessedTestLog.Origin, forged.Checkpoint?.Origin);
        Assert.Null(witness.Latest(Key));
    }

    [Fact]
    public async Task AfterARestart_TheWitnessKeepsItsSize()
    {
        using var dir = new TempDir();
        await Witness(dir).AddCheckpointAsync(_log.Request(0, 8), CancellationToken.None);
        var restarted = Witness(dir);
        var answer = await restarted.AddCheckpointAsync(_log.Request(0, 9), CancellationToken.None);
        Assert.Equal((409, 8L), (answer.Verdict.Status, answer.Verdict.WitnessSize));
        Assert.True((await restarted.AddCheckpointAsync(_log.Request(8, 9), CancellationToken.None)).Verdict.Cosigns);
    }

    [Fact]
    public async Task TwoWitnessesOnOneStateDirectory_NeverCosignAFork()
    {
        var fork = new WitnessedTestLog("fork ");
        for (int round = 0; round < 10; round++)
        {
            using var dir = new TempDir();
            CosigningWitness[] witnesses = [Witness(dir), Witness(dir)];
            // The log's key signed two trees of size 10; each reaches one witness at the same time.
            var answers = await Task.WhenAll(
                Task.Run(() => witnesses[0].AddCheckpointAsync(_log.Request(0, 10), CancellationToken.None)),
                Task.Run(() => witnesses[1].AddCheckpointAsync(fork.Request(0, 10), CancellationToken.None))).WaitAsync(HangGuard.Timeout);
            var won = Assert.Single(answers, a => a.Verdict.Cosigns);
            var lost = Assert.Single(answers, a => !a.Verdict.Cosigns);
            Assert.Equal((409, 10L), (lost.Verdict.Status, lost.Verdict.WitnessSize));
            Assert.Equal(won.Checkpoint!.RootHash, witnesses[round % 2].Latest(Key)!.Checkpoint.RootHash);
            // The loser's retry from size 10 is the fork at the same size.
            var retry = await witnesses[1].AddCheckpointAsync((won == answers[0] ? fork : _log).Request(10, 10), CancellationToken.None);
            Assert.Equal((409, (long?)null), (retry.Verdict.Status, retry.Verdict.WitnessSize));
        }
    }

    [Fact]
    public async Task ADamagedState_IsAnError_AndNothingIsCosigned()
    {
        using var dir = new TempDir();
        var witness = Witness(dir);
        await witness.AddCheckpointAsync(_log.Request(0, 5), CancellationToken.None);
        File.WriteAllText(Path.Combine(dir.Path, Key, WitnessStateStore.CheckpointFile), "example.com/log/testdata\n");
        await Assert.ThrowsAsync<InvalidDataException>(() => witness.AddCheckpointAsync(_log.Request(5, 6), CancellationToken.None));
    }
}
