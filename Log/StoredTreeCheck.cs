using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>
/// The checks every driver runs at start, before anything is written: the root recomputed from the
/// right-edge tiles equals the integrated tree head's, the partial entry bundle holds exactly the
/// entries the level-0 tile hashes, and the published checkpoint is not ahead of the integrated
/// tree and has the root the tiles give at its size. Reads O(levels) tiles, never O(size).
/// Every failure is a <see cref="LogStateException"/> naming what disagrees.
/// </summary>
public static class StoredTreeCheck
{
    /// <summary>Runs every check; returns the right edge, ready to append to.</summary>
    public static async Task<TileTreeBuilder> CheckAsync(ILogReader reader, TreeHead head, CancellationToken cancel)
    {
        var edge = await ResumeEdgeAsync(reader, head, cancel).ConfigureAwait(false);
        await CheckEntryBundleEdgeAsync(reader, head.Size, cancel).ConfigureAwait(false);
        await CheckPublishedAsync(reader, head, cancel).ConfigureAwait(false);
        return edge;
    }

    /// <summary>The right edge of the tree at <paramref name="head"/>, its root checked.</summary>
    public static async Task<TileTreeBuilder> ResumeEdgeAsync(ILogReader reader, TreeHead head, CancellationToken cancel)
    {
        var tiles = TileMath.RightEdge(head.Size);
        TileTreeBuilder edge;
        try
        {
            var read = await ReadTilesAsync(reader, tiles, cancel).ConfigureAwait(false);
            edge = TileTreeBuilder.Resume(head.Size, address => read[IndexOf(tiles, address)]);
        }
        catch (Exception e) when (e is FileNotFoundException or FormatException)
        {
            throw new LogStateException($"cannot read the right edge of the tree at size {head.Size}: {e.Message}", e);
        }
        byte[] root = edge.Root();
        if (!root.AsSpan().SequenceEqual(head.Root))
        {
            string paths = string.Join(", ", tiles.Select(a => a.ToPath()));
            throw new LogStateException(
                $"the root recomputed from the right-edge tiles ({(paths.Length == 0 ? "none" : paths)}) is " +
                $"{Convert.ToBase64String(root)}, but the integrated tree head says {Convert.ToBase64String(head.Root)} at size {head.Size}");
        }
        return edge;
    }

    /// <summary>The partial entry bundle must hold exactly the entries whose hashes the level-0
    /// partial tile holds: cheap, and catches a bundle lost or damaged at the right edge.</summary>
    public static async Task CheckEntryBundleEdgeAsync(ILogReader reader, long size, CancellationToken cancel)
    {
        if (TileMath.PartialEntryBundle(size) is not { } address)
            return;
        ReadOnlyMemory<byte> bundle, tile;
        try
        {
            bundle = await reader.ReadEntryBundleAsync(address, cancel).ConfigureAwait(false);
            tile = await reader.ReadTileAsync(address with { IsEntries = false }, cancel).ConfigureAwait(false);
        }
        catch (FileNotFoundException e)
        {
            throw new LogStateException(e.Message, e);
        }
        int i = 0;
        foreach (var entry in ParseBundle(address, bundle))
        {
            if (!Rfc6962.LeafHash(entry.Span).AsSpan().SequenceEqual(HashTile.HashAt(tile.Span, i)))
                throw new LogStateException($"{address.ToPath()}: entry {i} does not hash to the level-0 tile");
            i++;
        }
    }

    /// <summary>The published checkpoint is not ahead of the integrated tree, and its root is the
    /// one the tiles give at its size.</summary>
    public static async Task CheckPublishedAsync(ILogReader reader, TreeHead head, CancellationToken cancel)
    {
        if (await reader.ReadCheckpointAsync(cancel).ConfigureAwait(false) is not { } note)
            return;
        var published = PublishedCheckpoint.ParseBody(note);
        if (published.Size > head.Size)
            throw new LogStateException(
                $"checkpoint is at size {published.Size} but the integrated tree only at {head.Size}: the published log is ahead of the durable one");
        byte[] root = published.Size == head.Size ? head.Root : await RootAtAsync(reader, published.Size, cancel).ConfigureAwait(false);
        if (!root.AsSpan().SequenceEqual(published.RootHash))
            throw new LogStateException(
                $"checkpoint (size {published.Size}) has root {Convert.ToBase64String(published.RootHash)}, but the tiles give {Convert.ToBase64String(root)}");
    }

    /// <summary>The root of the tree at <paramref name="size"/>, from its tiles.</summary>
    public static async Task<byte[]> RootAtAsync(ILogReader reader, long size, CancellationToken cancel)
    {
        var proofs = new ProofBuilder(size);
        await SupplyAsync(reader, proofs, p => p.Root(), cancel).ConfigureAwait(false);
        return proofs.Root();
    }

    /// <summary>Reads the tiles <paramref name="compute"/> needs that <paramref name="proofs"/> does
    /// not hold yet, and hands them in: afterwards it runs without reading.</summary>
    public static async Task SupplyAsync(ILogReader reader, ProofBuilder proofs, Action<ProofBuilder> compute, CancellationToken cancel)
    {
        var missing = new List<TileAddress>();
        foreach (var address in ProofBuilder.TilesRead(proofs.TreeSize, compute))
        {
            if (!proofs.Holds(address))
                missing.Add(address);
        }
        var read = await ReadTilesAsync(reader, missing, cancel).ConfigureAwait(false);
        for (int i = 0; i < missing.Count; i++)
            proofs.Supply(missing[i], read[i]);
    }

    /// <summary>Reads tiles concurrently (a cloud driver's reads are round trips); the result is
    /// in the order of <paramref name="tiles"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>[]> ReadTilesAsync(ILogReader reader, IReadOnlyList<TileAddress> tiles, CancellationToken cancel)
    {
        var reads = new ValueTask<ReadOnlyMemory<byte>>[tiles.Count];
        for (int i = 0; i < tiles.Count; i++)
            reads[i] = reader.ReadTileAsync(tiles[i], cancel);
        var result = new ReadOnlyMemory<byte>[tiles.Count];
        for (int i = 0; i < tiles.Count; i++)
            result[i] = await reads[i].ConfigureAwait(false);
        return result;
    }

    private static int IndexOf(IReadOnlyList<TileAddress> tiles, TileAddress address)
    {
        for (int i = 0; i < tiles.Count; i++)
        {
            if (tiles[i] == address)
                return i;
        }
        throw new InvalidOperationException($"{address.ToPath()} was not read");
    }

    private static List<ReadOnlyMemory<byte>> ParseBundle(TileAddress address, ReadOnlyMemory<byte> bundle)
    {
        try
        {
            return EntryBundle.Parse(bundle);
        }
        catch (FormatException e)
        {
            throw new LogStateException($"{address.ToPath()}: {e.Message}", e);
        }
    }
}
