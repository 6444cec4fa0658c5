using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

/// <summary>Known answers from tessera's own POSIX test log (15 one-entry appends).</summary>
public class TesseraLogTests
{
    private const string Origin = "example.com/log/testdata";
    private static readonly DirectoryTileSource s_log = new("tessera-log");

    private static readonly string[] s_words =
        ["one", "two", "three", "four", "five", "six", "seven", "eit", "nain", "ten", "ileven", "twelf", "threeten", "fourten", "fivten"];

    private static readonly byte[][] s_leafHashes = s_words.Select(w => Rfc6962.LeafHash(Encoding.ASCII.GetBytes(w))).ToArray();

    private static Checkpoint CheckpointAt(int size) =>
        Checkpoint.Parse(DirectoryTileSource.NoteBody(DirectoryTileSource.ReadText("tessera-log", $"checkpoint.{size}")));

    [Fact]
    public void EveryPartialBundleHoldsTheFirstEntries()
    {
        for (int k = 1; k <= 15; k++)
        {
            var data = s_log.ReadExact(new TileAddress(0, 0, k, IsEntries: true));
            var entries = EntryBundle.Parse(data);
            Assert.Equal(s_words.Take(k), entries.Select(e => Encoding.ASCII.GetString(e.Span)));
            Assert.Equal(k, EntryBundle.Count(data));
            Assert.Equal(data, EntryBundle.Encode(entries));
        }
    }

    [Fact]
    public void EveryPartialTileHoldsTheLeafHashes()
    {
        for (int k = 1; k <= 15; k++)
        {
            var tile = s_log.ReadExact(new TileAddress(0, 0, k));
            Assert.True(HashTile.IsValid(tile, k));
            Assert.Equal(HashTile.Encode(s_leafHashes[..k]), tile);
        }
    }

    [Fact]
    public void EveryCheckpointHasTheRootOfItsPrefix()
    {
        for (int n = 0; n <= 15; n++)
        {
            var checkpoint = CheckpointAt(n);
            Assert.Equal(Origin, checkpoint.Origin);
            Assert.Equal(n, checkpoint.Size);
            Assert.Empty(checkpoint.Extensions);
            var expected = n == 0 ? Rfc6962.EmptyRoot : new NaiveMerkle(s_leafHashes).Root(n);
            Assert.Equal(expected, checkpoint.RootHash);
        }
        Assert.Equal(CheckpointAt(15),
            Checkpoint.Parse(DirectoryTileSource.NoteBody(DirectoryTileSource.ReadText("tessera-log", "checkpoint"))));
        Assert.Equal("rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=", Convert.ToBase64String(CheckpointAt(15).RootHash));
    }

    [Fact]
    public void CheckpointBodiesFormatByteForByte()
    {
        for (int n = 0; n <= 15; n++)
        {
            string body = DirectoryTileSource.NoteBody(DirectoryTileSource.ReadText("tessera-log", $"checkpoint.{n}"));
            Assert.Equal(body, Checkpoint.Parse(body).Format());
        }
    }

    [Fact]
    public void BuildingOneEntryAtATimeReproducesEveryTile()
    {
        var builder = TileTreeBuilder.Empty();
        for (int k = 1; k <= 15; k++)
        {
            var writes = builder.Append([s_leafHashes[k - 1]]);
            var write = Assert.Single(writes);
            Assert.Equal($"tile/0/000.p/{k}", write.Address.ToPath());
            Assert.Equal(s_log.ReadExact(write.Address), write.Data);
            Assert.Equal(CheckpointAt(k).RootHash, builder.Root());
        }
    }

    [Fact]
    public void ResumingFromEachSizeMatchesTheNextCheckpoint()
    {
        for (int k = 0; k < 15; k++)
        {
            var builder = TileTreeBuilder.Resume(k, a => s_log.ReadExact(a));
            Assert.Equal(CheckpointAt(k).RootHash, builder.Root());
            var write = Assert.Single(builder.Append([s_leafHashes[k]]));
            Assert.Equal(s_log.ReadExact(write.Address), write.Data);
            Assert.Equal(CheckpointAt(k + 1).RootHash, builder.Root());
        }
    }

    [Fact]
    public void EveryCheckpointIsConsistentWithEveryLaterOne()
    {
        for (int size = 1; size <= 15; size++)
        {
            var proofs = new ProofBuilder(size, a => s_log.ReadExact(a));
            var root = CheckpointAt(size).RootHash;
            Assert.Equal(root, proofs.Root());
            for (int old = 0; old <= size; old++)
                Assert.True(MerkleProof.VerifyConsistency(old, size, CheckpointAt(old).RootHash, root, proofs.Consistency(old)));
            for (int index = 0; index < size; index++)
                Assert.True(MerkleProof.VerifyInclusion(s_leafHashes[index], index, size, proofs.Inclusion(index), root));
        }
    }
}
