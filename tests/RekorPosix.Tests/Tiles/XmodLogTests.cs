using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

/// <summary>
/// Known answers from a 66,000-entry log written only by Go's golang.org/x/mod/sumdb/tlog,
/// independent of this code base.
/// </summary>
public class XmodLogTests
{
    private const long Size = 66_000;
    private const string Root66000 = "K3z7EOTbhCRwdfG5WdIiyRij8TN2uynSUEuXm56DBn8=";

    private static readonly DirectoryTileSource s_log = new("xmod-log", "log");

    // Entries and leaf hashes, read from the bundles once for the whole class.
    private static readonly Lazy<(List<ReadOnlyMemory<byte>> Entries, byte[][] LeafHashes)> s_data = new(() =>
    {
        var entries = new List<ReadOnlyMemory<byte>>();
        for (long bundle = 0; TileMath.EntryBundleAt(bundle, Size) is { } address; bundle++)
            entries.AddRange(EntryBundle.Parse(s_log.ReadExact(address)));
        return (entries, entries.Select(e => Rfc6962.LeafHash(e.Span)).ToArray());
    });

    private static byte[][] LeafHashes => s_data.Value.LeafHashes;

    private static Checkpoint ReadCheckpoint(params string[] path) =>
        Checkpoint.Parse(DirectoryTileSource.NoteBody(DirectoryTileSource.ReadText(path)));

    /// <summary>A reader that fails if asked for a tile the size does not imply or at the wrong width.</summary>
    private static Func<TileAddress, ReadOnlyMemory<byte>> StrictReader(long size) => address =>
    {
        Assert.Equal(TileMath.WidthAt(address.Level, address.Index, size), address.Width);
        return s_log.ReadWithFallback(address);
    };

    [Fact]
    public void BundlesHoldAllEntriesAndReEncodeByteForByte()
    {
        Assert.Equal(Size, s_data.Value.Entries.Count);
        Assert.Equal(0, s_data.Value.Entries[5].Length);
        for (long bundle = 0; TileMath.EntryBundleAt(bundle, Size) is { } address; bundle++)
        {
            var entries = s_data.Value.Entries.Skip((int)bundle * 256).Take(address.Width);
            Assert.Equal(s_log.ReadExact(address), EntryBundle.Encode(entries));
        }
    }

    [Fact]
    public void RebuildingFromBundlesReproducesEveryTileFile()
    {
        var builder = TileTreeBuilder.Empty();
        var store = new MemoryTileStore();
        // One bundle per call, the way fsck streams a log.
        for (int start = 0; start < Size; start += 256)
            store.Apply(builder.Append(LeafHashes[start..(int)Math.Min(start + 256, Size)]));

        var onDisk = s_log.AllTilePaths().Where(p => !p.StartsWith("tile/entries/", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(258 + 2 + 1, onDisk.Count);
        foreach (var path in onDisk)
        {
            Assert.True(TileAddress.TryParse(path, out var address), path);
            Assert.Equal(s_log.ReadExact(address), store.Files[path]);
        }
        // And the builder produced no full tile and no current partial that the log lacks.
        foreach (var (path, _) in store.Files)
        {
            Assert.True(TileAddress.TryParse(path, out var address));
            if (TileMath.WidthAt(address.Level, address.Index, Size) == address.Width)
                Assert.Contains(path, onDisk);
        }
        Assert.Equal(Root66000, Convert.ToBase64String(builder.Root()));
    }

    [Fact]
    public void CheckpointHasTheRebuiltRoot()
    {
        var checkpoint = ReadCheckpoint("xmod-log", "log", "checkpoint");
        Assert.Equal("xmod.example/testlog", checkpoint.Origin);
        Assert.Equal(Size, checkpoint.Size);
        Assert.Equal(Root66000, Convert.ToBase64String(checkpoint.RootHash));
        Assert.Equal(checkpoint.RootHash, new ProofBuilder(Size, StrictReader(Size)).Root());
    }

    [Fact]
    public void ResumeReadsThreeTilesAndFindsTheRoot()
    {
        var requests = new List<TileAddress>();
        var builder = TileTreeBuilder.Resume(Size, a =>
        {
            requests.Add(a);
            return s_log.ReadExact(a);
        });
        Assert.Equal(["tile/0/257.p/208", "tile/1/001.p/1", "tile/2/000.p/1"], requests.Select(a => a.ToPath()));
        Assert.Equal(Root66000, Convert.ToBase64String(builder.Root()));
    }

    [Fact]
    public void OlderCheckpointRootMatchesThePrefix()
    {
        var old = ReadCheckpoint("xmod-log", "checkpoint.1000");
        Assert.Equal(1000, old.Size);

        var builder = TileTreeBuilder.Empty();
        builder.Append(LeafHashes[..1000]);
        Assert.Equal(old.RootHash, builder.Root());
        // From the files alone: the partials for size 1000 are gone, so full tiles are trimmed.
        Assert.Equal(old.RootHash, new ProofBuilder(1000, StrictReader(1000)).Root());
    }

    [Fact]
    public void ConsistencyProofFromOlderCheckpointVerifies()
    {
        var old = ReadCheckpoint("xmod-log", "checkpoint.1000");
        var current = ReadCheckpoint("xmod-log", "log", "checkpoint");
        var proof = new ProofBuilder(Size, StrictReader(Size)).Consistency(old.Size);

        Assert.NotEmpty(proof);
        Assert.True(MerkleProof.VerifyConsistency(old.Size, current.Size, old.RootHash, current.RootHash, proof));
        Assert.False(MerkleProof.VerifyConsistency(old.Size, current.Size, current.RootHash, current.RootHash, proof));
        Assert.Equal(new NaiveMerkle(LeafHashes).Consistency(1000, (int)Size), proof);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(5L)]
    [InlineData(255L)]
    [InlineData(256L)]
    [InlineData(65_535L)]
    [InlineData(65_536L)]
    [InlineData(65_999L)]
    public void InclusionProofsVerify(long index)
    {
        var root = Convert.FromBase64String(Root66000);
        var proofs = new ProofBuilder(Size, StrictReader(Size));
        var proof = proofs.Inclusion(index);
        var leaf = Rfc6962.LeafHash(s_data.Value.Entries[(int)index].Span);

        Assert.Equal(leaf, proofs.LeafHash(index));
        Assert.True(MerkleProof.VerifyInclusion(leaf, index, Size, proof, root));
        Assert.False(MerkleProof.VerifyInclusion(leaf, index ^ 1, Size, proof, root));
    }

    [Fact]
    public void InclusionInTheOlderTreeVerifies()
    {
        var old = ReadCheckpoint("xmod-log", "checkpoint.1000");
        var proofs = new ProofBuilder(old.Size, StrictReader(old.Size));
        foreach (long index in new long[] { 0, 255, 256, 999 })
            Assert.True(MerkleProof.VerifyInclusion(LeafHashes[index], index, old.Size, proofs.Inclusion(index), old.RootHash));
    }
}
