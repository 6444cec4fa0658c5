using System.Text;
using Microsoft.Extensions.Logging;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

/// <summary>Proofs over tessera's 15-entry log: what is logged and counted when a proof cannot be
/// built (a tile read fails) and when it is built but does not verify.</summary>
public class TreeProofsTests
{
    private const int ProofDidNotVerify = 107;
    private const int ProofNotBuilt = 112;
    private const int ConsistencyDidNotVerify = 111;
    private const int ConsistencyNotBuilt = 113;

    private static readonly string LogDir = TestData.PathOf("tessera-log");
    private static PublishedCheckpoint Latest => PublishedCheckpoint.FromNote(File.ReadAllBytes(Path.Combine(LogDir, "checkpoint")));

    /// <summary>The latest checkpoint's note with another root: a tree the tiles disagree with.</summary>
    private static PublishedCheckpoint WithOtherRoot()
    {
        string[] lines = File.ReadAllText(Path.Combine(LogDir, "checkpoint")).Split('\n');
        lines[2] = Convert.ToBase64String(new byte[32]);
        return PublishedCheckpoint.FromNote(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
    }

    [Fact]
    public async Task AProofOfTheStoredTree_Verifies_AndNothingIsLogged()
    {
        var logger = new CapturingLogger();
        var proofs = new TreeProofs(new BreakableReader(LogDir), logger);

        var proof = await proofs.ProveAsync(null, 3, Latest, CancellationToken.None);

        Assert.NotNull(proof);
        Assert.Equal(15, proof.TreeSize);
        Assert.Equal(0, proofs.Failures);
        Assert.Empty(logger.Lines);
    }

    [Fact]
    public async Task ATileThatCannotBeRead_IsNotBuilt_NotADisagreement_AndIsReadAgainNextTime()
    {
        var logger = new CapturingLogger();
        var reader = new BreakableReader(LogDir) { Broken = true };
        var proofs = new TreeProofs(reader, logger);

        Assert.Null(await proofs.ProveAsync(null, 3, Latest, CancellationToken.None));
        Assert.Equal(1, proofs.Failures);
        var line = Assert.Single(logger.Lines);
        Assert.Equal((LogLevel.Error, ProofNotBuilt), (line.Level, line.EventId));
        Assert.Equal("Cannot build the inclusion proof for index 3 against the checkpoint at size 15 from the log's tiles", line.Message);

        // The failed read is not kept: once the disk answers, the same proof is built.
        reader.Broken = false;
        Assert.NotNull(await proofs.ProveAsync(null, 3, Latest, CancellationToken.None));
        Assert.Equal(1, proofs.Failures);
    }

    [Fact]
    public async Task ATreeThatDisagreesWithTheCheckpoint_DidNotVerify()
    {
        var logger = new CapturingLogger();
        var proofs = new TreeProofs(new BreakableReader(LogDir), logger);

        Assert.Null(await proofs.ProveAsync(null, 3, WithOtherRoot(), CancellationToken.None));

        Assert.Equal(1, proofs.Failures);
        var line = Assert.Single(logger.Lines);
        Assert.Equal((LogLevel.Error, ProofDidNotVerify), (line.Level, line.EventId));
    }

    [Fact]
    public async Task ConsistencyProofs_TellAnUnreadableTileFromADisagreement()
    {
        var logger = new CapturingLogger();
        var reader = new BreakableReader(LogDir) { Broken = true };

        Assert.Null(await new TreeProofs(reader, logger).ProveConsistencyAsync(8, null, Latest, CancellationToken.None));
        reader.Broken = false;
        Assert.Null(await new TreeProofs(reader, logger).ProveConsistencyAsync(8, null, WithOtherRoot(), CancellationToken.None));
        Assert.NotNull(await new TreeProofs(reader, logger).ProveConsistencyAsync(8, null, Latest, CancellationToken.None));

        Assert.Equal([ConsistencyNotBuilt, ConsistencyDidNotVerify], logger.Lines.Select(l => l.EventId));
    }

    /// <summary>The posix reader of a directory whose tile reads fail with EIO while <see cref="Broken"/>.</summary>
    private sealed class BreakableReader(string dir) : ILogReader
    {
        private readonly PosixReader _inner = new(new StatePaths(dir));

        public bool Broken { get; set; }

        public ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel) => _inner.ReadCheckpointAsync(cancel);

        public ValueTask<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address, CancellationToken cancel) =>
            Broken ? ValueTask.FromException<ReadOnlyMemory<byte>>(new IOException("Input/output error")) : _inner.ReadTileAsync(address, cancel);

        public ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, CancellationToken cancel) =>
            _inner.ReadEntryBundleAsync(address, cancel);

        public ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel) => _inner.ReadIntegratedSizeAsync(cancel);
    }
}
