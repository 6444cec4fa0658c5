using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log;
using RekorPosix.Log.Witnessing;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;
using Xunit;

namespace RekorPosix.Tests.Log.Witnessing;

public sealed class CheckpointWitnessesTests : IAsyncLifetime
{
    private readonly MemoryDriver _driver = new(new MemoryStore());
    private readonly FakeWitnessNetwork _network = new();
    private readonly CheckpointSigner _signer = TestLogKey.Signer();
    private readonly MemoryWitnessSizes _sizes = new();

    public async Task InitializeAsync() => await _driver.OpenAsync(CancellationToken.None);

    public async Task DisposeAsync() => await _driver.DisposeAsync();

    [Fact]
    public async Task TwoWitnesses_BothCosignaturesFollowTheLogSignature()
    {
        var (a, b) = (Witness("a"), Witness("b"));
        using var witnesses = Witnesses($"quorum all2", Group("all2", "all", a, b));
        var head = await GrowAsync(3);

        byte[] note = await witnesses.Around(_signer.Maker(), _driver.Reader, _sizes)(head, null, CancellationToken.None);

        var envelope = SignedNote.Parse(note);
        Assert.Equal(3, envelope.Signatures.Count);
        Assert.Equal(TestData.TesseraOrigin, envelope.Signatures[0].Name);
        Assert.Equal(["a.example/w", "b.example/w"], envelope.Signatures.Skip(1).Select(s => s.Name).Order());
        foreach (var witness in new[] { a, b })
            Assert.Equal(envelope.Text, SignedNote.Open(note, [WitnessKey.Parse(witness.Vkey).CreateVerifier()]));
        Assert.StartsWith(Encoding.UTF8.GetString(_signer.Sign(head)), Encoding.UTF8.GetString(note), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnMlDsa44Witness_IsCountedBesideAnEd25519One_AndItsForgedLineDropped()
    {
        var (ed, ml) = (Witness("a"), Witness("b", mlDsa44: true));
        using var witnesses = Witnesses("quorum all2", Group("all2", "all", ed, ml));
        var make = witnesses.Around(_signer.Maker(), _driver.Reader, _sizes);

        byte[] note = await make(await GrowAsync(3), null, CancellationToken.None);

        Assert.Equal(SignedNote.Parse(note).Text, SignedNote.Open(note, [WitnessKey.Parse(ml.Vkey).CreateVerifier()]));
        Assert.Equal(SubtreeCosignature.SignatureSize, SignedNote.Parse(note).Signatures.Single(s => s.Name == "b.example/w").Signature.Length);

        ml.ForgeCosignature = true;
        byte[] forged = await make(await GrowAsync(2), null, CancellationToken.None);
        Assert.DoesNotContain(SignedNote.Parse(forged).Signatures, s => s.Name == "b.example/w");
    }

    [Fact]
    public async Task LaterCheckpoints_SendTheLastSizeAndAProofFromOurTiles()
    {
        var a = Witness("a");
        using var witnesses = Witnesses("quorum a", a);
        var make = witnesses.Around(_signer.Maker(), _driver.Reader, _sizes);

        var first = await GrowAsync(5);
        await make(first, null, CancellationToken.None);
        var second = await GrowAsync(300);
        byte[] note = await make(second, null, CancellationToken.None);

        // The fake witness refuses a proof that does not verify (422): it cosigned both.
        Assert.Equal([0L, 5L], a.OldSizes);
        Assert.Equal(305, a.Size);
        Assert.Equal(2, SignedNote.Parse(note).Signatures.Count);
    }

    [Fact]
    public async Task AWitnessAtAnotherSize_IsLearntFromTheConflictAndRetried()
    {
        var a = Witness("a");
        var earlier = await GrowAsync(7);
        (a.Size, a.Root) = (earlier.Size, earlier.Root);
        using var witnesses = Witnesses("quorum a", a);

        var head = await GrowAsync(2);
        byte[] note = await witnesses.Around(_signer.Maker(), _driver.Reader, _sizes)(head, null, CancellationToken.None);

        Assert.Equal([0L, 7L], a.OldSizes);
        Assert.Equal(2, SignedNote.Parse(note).Signatures.Count);
    }

    [Fact]
    public async Task TheSizesKept_SpareARestartTheConflict()
    {
        var a = Witness("a");
        var head = await GrowAsync(4);
        using (var before = Witnesses("quorum a", a))
            await before.Around(_signer.Maker(), _driver.Reader, _sizes)(head, null, CancellationToken.None);
        Assert.Equal(4, (await _sizes.LoadAsync(CancellationToken.None))["http://a.example/"]);

        using var after = Witnesses("quorum a", a);
        var next = await GrowAsync(1);
        await after.Around(_signer.Maker(), _driver.Reader, _sizes)(next, null, CancellationToken.None);

        Assert.Equal([0L, 4L], a.OldSizes);
    }

    [Fact]
    public async Task NothingLearnt_NothingSaved()
    {
        var a = Witness("a");
        a.FailWith = HttpStatusCode.InternalServerError;
        using var witnesses = Witnesses("quorum a", a);
        var make = witnesses.Around(_signer.Maker(), _driver.Reader, _sizes);

        await make(await GrowAsync(1), null, CancellationToken.None);
        await make(await GrowAsync(1), null, CancellationToken.None);

        Assert.Equal(0, _sizes.Saves);
    }

    [Fact]
    public async Task WithoutTheQuorum_FailOpenPublishesWhatArrived()
    {
        var (a, b) = (Witness("a"), Witness("b"));
        b.FailWith = HttpStatusCode.Forbidden;
        using var witnesses = Witnesses("quorum all2", Group("all2", "all", a, b));
        var answers = new List<WitnessAnswer>();
        (int Cosignatures, bool FailedOpen)? gathered = null;
        witnesses.Answered += answers.Add;
        witnesses.Gathered += (n, open) => gathered = (n, open);

        byte[] note = await witnesses.Around(_signer.Maker(), _driver.Reader, _sizes)(await GrowAsync(2), null, CancellationToken.None);

        Assert.Equal(2, SignedNote.Parse(note).Signatures.Count);
        Assert.Equal((1, true), gathered);
        Assert.Equal(["http_403", "ok"], answers.Select(x => x.Outcome).Order());
    }

    [Fact]
    public async Task WithoutTheQuorum_FailClosedPublishesNothing()
    {
        var (a, b) = (Witness("a"), Witness("b"));
        b.FailWith = HttpStatusCode.UnprocessableEntity;
        using var witnesses = Witnesses("quorum all2", [Group("all2", "all", a, b)], failClosed: true);

        var e = await Assert.ThrowsAsync<WitnessQuorumException>(() =>
            witnesses.Around(_signer.Maker(), _driver.Reader, _sizes)(GrowAsync(1).Result, null, CancellationToken.None));
        Assert.Contains("1 of 2 witnesses cosigned", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoOfThree_OneDeadWitnessStillMeetsTheQuorum()
    {
        var (a, b) = (Witness("a"), Witness("b"));
        var dead = new FakeWitness("c.example/w", TestLogKey.Verifier()); // not on the network: refused
        using var witnesses = Witnesses("quorum two", [$"witness c {dead.Vkey} http://c.example/", Group("two", "2", a, b) + " c"]);
        var answers = new List<WitnessAnswer>();
        bool? failedOpen = null;
        witnesses.Answered += answers.Add;
        witnesses.Gathered += (_, open) => failedOpen = open;

        byte[] note = await witnesses.Around(_signer.Maker(), _driver.Reader, _sizes)(await GrowAsync(1), null, CancellationToken.None);

        Assert.Equal(3, SignedNote.Parse(note).Signatures.Count);
        Assert.False(failedOpen);
        Assert.Contains(answers, x => x.Outcome == "unreachable");
    }

    [Fact]
    public async Task ASlowWitness_CostsAtMostTheTimeout()
    {
        var (a, slow) = (Witness("a"), Witness("slow"));
        slow.Delay = TimeSpan.FromSeconds(30);
        using var witnesses = Witnesses("quorum either", [Group("either", "any", a, slow)], timeout: TimeSpan.FromMilliseconds(300));
        var answers = new List<WitnessAnswer>();
        witnesses.Answered += answers.Add;

        byte[] note = await witnesses.Around(_signer.Maker(), _driver.Reader, _sizes)(await GrowAsync(1), null, CancellationToken.None);

        // The slow witness would have cosigned after 30 s: its request was given up instead.
        Assert.Equal(2, SignedNote.Parse(note).Signatures.Count);
        Assert.Contains(answers, x => x.Outcome == "timeout");
    }

    [Fact]
    public async Task AForgedCosignature_IsDropped()
    {
        var a = Witness("a");
        a.ForgeCosignature = true;
        using var witnesses = Witnesses("quorum a", a);
        var answers = new List<WitnessAnswer>();
        witnesses.Answered += answers.Add;

        byte[] note = await witnesses.Around(_signer.Maker(), _driver.Reader, _sizes)(await GrowAsync(1), null, CancellationToken.None);

        Assert.Single(SignedNote.Parse(note).Signatures);
        Assert.Equal("bad_cosignature", Assert.Single(answers).Outcome);
    }

    [Fact]
    public async Task AWitnessAheadOfTheLog_IsNotRetried()
    {
        var a = Witness("a");
        a.Size = 1000;
        using var witnesses = Witnesses("quorum a", a);
        var answers = new List<WitnessAnswer>();
        witnesses.Answered += answers.Add;

        await witnesses.Around(_signer.Maker(), _driver.Reader, _sizes)(await GrowAsync(1), null, CancellationToken.None);

        Assert.Equal("witness_ahead", Assert.Single(answers).Outcome);
        Assert.Equal([0L], a.OldSizes);
    }

    [Fact]
    public void QuorumNone_LeavesTheMakerAsItIs()
    {
        using var witnesses = new CheckpointWitnesses(WitnessPolicy.Parse("quorum none\n"), new(), NullLogger.Instance, _network);
        CheckpointMaker sign = _signer.Maker();

        Assert.Same(sign, witnesses.Around(sign, _driver.Reader, _sizes));
    }

    private FakeWitness Witness(string host, bool mlDsa44 = false) =>
        _network.Add($"{host}.example", new FakeWitness($"{host}.example/w", TestLogKey.Verifier(), mlDsa44));

    private static string Line(FakeWitness witness) =>
        $"witness {witness.Cosigner.Name.Split('.')[0]} {witness.Vkey} http://{witness.Cosigner.Name.Split('/')[0]}/";

    private static string Group(string name, string k, params FakeWitness[] members) =>
        string.Join('\n', members.Select(Line)) + $"\ngroup {name} {k} " + string.Join(' ', members.Select(m => m.Cosigner.Name.Split('.')[0]));

    private CheckpointWitnesses Witnesses(string quorum, FakeWitness single) => Witnesses(quorum, [Line(single)]);

    private CheckpointWitnesses Witnesses(string quorum, string group) => Witnesses(quorum, [group]);

    private CheckpointWitnesses Witnesses(string quorum, string[] lines, bool failClosed = false, TimeSpan? timeout = null) =>
        new(WitnessPolicy.Parse(string.Join('\n', [.. lines, quorum]) + "\n"),
            new WitnessingOptions { FailClosed = failClosed, Timeout = timeout ?? TimeSpan.FromSeconds(10) }, NullLogger.Instance, _network);

    private async Task<TreeHead> GrowAsync(int entries)
    {
        var batch = Enumerable.Range(0, entries).Select(_ => (ReadOnlyMemory<byte>)Guid.NewGuid().ToByteArray()).ToList();
        await _driver.SequenceAsync(batch, CancellationToken.None);
        return await _driver.IntegrateAsync(CancellationToken.None);
    }
}
