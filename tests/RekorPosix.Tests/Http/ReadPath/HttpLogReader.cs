using System.Net;
using RekorPosix.Signing;
using RekorPosix.Tests.Tiles;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http.ReadPath;

/// <summary>
/// What one read of a log over HTTP gave: a checkpoint whose signature verified, and every hash
/// tile and entry bundle its size implies, fetched after it. <see cref="Stamp"/> orders the
/// checkpoint's fetch among other events of a test (taken before it was requested).
/// </summary>
internal sealed class FetchedTree(string source, long stamp, Checkpoint checkpoint,
    IReadOnlyDictionary<TileAddress, byte[]> tiles, IReadOnlyList<byte[]> entries)
{
    private ProofBuilder? _proofs;

    public string Source => source;
    public long Stamp => stamp;
    public Checkpoint Checkpoint => checkpoint;
    public long Size => checkpoint.Size;
    public IReadOnlyList<byte[]> Entries => entries;

    /// <summary>Proofs from the fetched tiles only (a tile not fetched would throw). Not thread-safe.</summary>
    public ProofBuilder Proofs => _proofs ??= new ProofBuilder(Size, address => tiles[address]);

    /// <summary>The checkpoint's root, recomputed from the tiles and, independently, from the
    /// bundles' entries; each stored leaf hash matches its entry.</summary>
    public void AssertRootsMatch()
    {
        var proofs = new ProofBuilder(Size, address => tiles[address]);
        Assert.True(checkpoint.RootHash.AsSpan().SequenceEqual(proofs.Root()),
            $"{source}: the tiles fetched for size {Size} do not give the checkpoint's root");
        var leaves = entries.Select(e => Rfc6962.LeafHash(e)).ToList();
        Assert.True(checkpoint.RootHash.AsSpan().SequenceEqual(Size == 0 ? Rfc6962.EmptyRoot : new NaiveMerkle(leaves).Root((int)Size)),
            $"{source}: the entries fetched for size {Size} do not give the checkpoint's root");
        for (int i = 0; i < leaves.Count; i++)
            Assert.True(leaves[i].AsSpan().SequenceEqual(proofs.LeafHash(i)), $"{source}: tile leaf {i} is not the hash of bundle entry {i}");
    }
}

/// <summary>
/// A tlog-tiles client over HTTP: the checkpoint, then the tiles and bundles of its size from one
/// base path ("/" on the tile listener, "/api/v2/" on the API port). A partial the server has
/// since garbage-collected is read as the prefix of its full tile, as tlog-tiles allows.
/// </summary>
internal sealed class HttpLogReader(string source, HttpClient http, string prefix, INoteVerifier verifier)
{
    private int _fallbacks;

    public string Source => source;

    /// <summary>Partials that were gone and read from their full tile instead.</summary>
    public int Fallbacks => _fallbacks;

    /// <summary>The tree as published now, or null while there is no checkpoint.</summary>
    public async Task<FetchedTree?> FetchAsync(long stamp)
    {
        using var response = await http.GetAsync(prefix + "checkpoint");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{source}: checkpoint: {response.StatusCode}");
        string note = await response.Content.ReadAsStringAsync();
        // Throws unless the log key signed it.
        var checkpoint = Checkpoint.Parse(SignedNote.Open(note, [verifier]));
        return await FetchTreeAsync(checkpoint, stamp);
    }

    /// <summary>The tiles and bundles of a checkpoint fetched earlier, e.g. by a client that
    /// verifies an old checkpoint after the log has grown.</summary>
    public async Task<FetchedTree> FetchTreeAsync(Checkpoint checkpoint, long stamp)
    {
        var tiles = await FetchHashTilesAsync(checkpoint.Size);
        var entries = await FetchEntriesAsync(checkpoint.Size);
        return new FetchedTree(source, stamp, checkpoint, tiles, entries);
    }

    private async Task<Dictionary<TileAddress, byte[]>> FetchHashTilesAsync(long size)
    {
        var tiles = new Dictionary<TileAddress, byte[]>();
        for (int level = 0; level < TileMath.LevelCount(size); level++)
        {
            for (long index = 0; TileMath.TileAt(level, index, size) is { } address; index++)
            {
                var (data, full) = await FetchAsync(address);
                if (full && !address.IsFull)
                    data = HashTile.Trim(data, address.Width).ToArray();
                Assert.True(HashTile.IsValid(data, address.Width), $"{source}: {address.ToPath()} is {data.Length} bytes");
                tiles[address] = data;
            }
        }
        return tiles;
    }

    private async Task<List<byte[]>> FetchEntriesAsync(long size)
    {
        var entries = new List<byte[]>();
        for (long index = 0; TileMath.EntryBundleAt(index, size) is { } address; index++)
        {
            var (data, full) = await FetchAsync(address);
            var bundle = EntryBundle.Parse(full && !address.IsFull ? EntryBundle.Trim(data, address.Width) : data);
            Assert.True(bundle.Count == address.Width, $"{source}: {address.ToPath()} holds {bundle.Count} entries");
            entries.AddRange(bundle.Select(e => e.ToArray()));
        }
        return entries;
    }

    /// <summary>The resource's bytes, or for a partial that is gone its full tile's (Full true).</summary>
    private async Task<(byte[] Data, bool Full)> FetchAsync(TileAddress address)
    {
        using var response = await http.GetAsync(prefix + address.ToPath());
        if (response.StatusCode == HttpStatusCode.NotFound && !address.IsFull)
        {
            Interlocked.Increment(ref _fallbacks);
            var full = new TileAddress(address.Level, address.Index, TileAddress.FullWidth, address.IsEntries);
            return ((await FetchAsync(full)).Data, true);
        }
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{source}: {address.ToPath()}: {response.StatusCode}");
        return (await response.Content.ReadAsByteArrayAsync(), address.IsFull);
    }
}
