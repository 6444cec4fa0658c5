using RekorPosix.Log.Entries;
using RekorPosix.Tiles;
using RekorPosix.Verification;

namespace RekorPosix.Monitoring;

/// <summary>
/// Verifies a log from a checkpoint verified before to a newer one without taking a consistency
/// proof on trust: the right edge of the tree at the old size is read from the log's tiles and
/// must give the old root; every new entry is read from the bundles, parsed, matched against the
/// watch list and its leaf hash appended (Tiles/TileTreeBuilder); the root that gives must be the
/// new checkpoint's. That proves the new tree extends the old one and holds exactly these entries.
/// Every full hash tile the new entries complete, and every partial at the new size, must also be
/// the log's own tiles byte for byte: clients build their proofs from those (https://c2sp.org/tlog-tiles).
/// Bundles are read and checked up to <see cref="ReadAhead"/> ahead, in parallel; the tree is
/// built in order. Findings are held until the new checkpoint is verified: every match, and the
/// first <see cref="MaxMalformedListed"/> malformed entries (the rest are counted), so that a log of
/// entries that are not Rekor's cannot fill the memory.
/// </summary>
internal sealed class LogCatchUp(TileFetcher tiles, WatchList watch, CatchUpProgress progress)
{
    public const int ReadAhead = 8;
    public const int MaxMalformedListed = 1000;

    private const int HashSize = Rfc6962.HashSize;

    /// <summary>Checks every entry from <paramref name="from"/> (null: the empty tree) to <paramref name="to"/>.</summary>
    /// <exception cref="LogVerificationException">The log is not consistent, or serves something wrong.</exception>
    /// <exception cref="MonitorInputException">The log does not serve what is needed.</exception>
    public async Task<CatchUpResult> RunAsync(VerifiedCheckpoint? from, VerifiedCheckpoint to, CancellationToken cancel)
    {
        long fromSize = from?.Size ?? 0;
        byte[] fromRoot = from?.Root ?? Rfc6962.EmptyRoot;
        var tally = new EntryTally();
        if (to.Size <= fromSize)
        {
            CheckNotBehind(fromSize, fromRoot, to);
            return new CatchUpResult(to, [], tally);
        }
        progress.Start(to.Size - fromSize);
        var (edge, knownLevel0) = await ResumeAsync(fromSize, fromRoot, to, cancel).ConfigureAwait(false);
        var findings = new List<EntryFinding>();
        var partials = await AppendBundlesAsync(edge, knownLevel0, to.Size, findings, tally, cancel).ConfigureAwait(false);
        CheckRoot(edge, fromSize, fromRoot, to);
        await CompareRightEdgeAsync(partials, to.Size, cancel).ConfigureAwait(false);
        return new CatchUpResult(to, findings, tally);
    }

    /// <summary>
    /// Appends every bundle from the edge's size to <paramref name="treeSize"/>, checked ahead in
    /// parallel and appended in order; returns the last partial tile built at each level.
    /// </summary>
    private async Task<Dictionary<int, TileWrite>> AppendBundlesAsync(TileTreeBuilder edge, ReadOnlyMemory<byte> knownLevel0, long treeSize,
        List<EntryFinding> findings, EntryTally tally, CancellationToken cancel)
    {
        var partials = new Dictionary<int, TileWrite>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var pending = new Queue<Task<CheckedBundle>>();
        long first = edge.Size / TileMath.TileWidth;
        long next = first;
        long last = (treeSize - 1) / TileMath.TileWidth;
        try
        {
            while (next <= last || pending.Count > 0)
            {
                while (next <= last && pending.Count < ReadAhead)
                {
                    long index = next++;
                    var known = index == first ? knownLevel0 : ReadOnlyMemory<byte>.Empty;
                    pending.Enqueue(Task.Run(() => CheckBundleAsync(index, known, treeSize, stop.Token), stop.Token));
                }
                var bundle = await pending.Dequeue().ConfigureAwait(false);
                await AppendAsync(edge, bundle, treeSize, partials, cancel).ConfigureAwait(false);
                Keep(bundle.Findings, findings, tally.Malformed);
                tally.Add(bundle.Tally);
                progress.Advance(bundle.Tally.Total);
            }
        }
        finally
        {
            await StopAsync(stop, pending).ConfigureAwait(false);
        }
        return partials;
    }

    /// <summary>Keeps a bundle's matches, and its malformed entries while fewer than <see cref="MaxMalformedListed"/> were seen before.</summary>
    private static void Keep(List<EntryFinding> bundle, List<EntryFinding> findings, long malformedBefore)
    {
        foreach (var finding in bundle)
        {
            if (finding.Entry is not null || malformedBefore++ < MaxMalformedListed)
                findings.Add(finding);
        }
    }

    /// <summary>A checkpoint no larger than the one verified: only the very same tree is fine.</summary>
    private static void CheckNotBehind(long fromSize, byte[] fromRoot, VerifiedCheckpoint to)
    {
        if (to.Size < fromSize)
            throw new LogVerificationException(
                $"the log's checkpoint is at size {to.Size} (root {to.RootText}), behind the checkpoint verified before at size {fromSize} (root {Convert.ToBase64String(fromRoot)}): the log went back");
        if (!to.Root.AsSpan().SequenceEqual(fromRoot))
            throw new LogVerificationException(
                $"the log's checkpoint at size {to.Size} has root {to.RootText}, but the checkpoint verified before at the same size has root {Convert.ToBase64String(fromRoot)}: the log forked");
    }

    /// <summary>
    /// The tree's right edge at the old size, from the tiles the new size implies (their first
    /// hashes are the old partials', and the log must serve them now), checked against the old
    /// root; and the level-0 hashes of the old partial bundle's entries.
    /// </summary>
    private async Task<(TileTreeBuilder Edge, ReadOnlyMemory<byte> KnownLevel0)> ResumeAsync(long fromSize, byte[] fromRoot, VerifiedCheckpoint to, CancellationToken cancel)
    {
        var edgeTiles = TileMath.RightEdge(fromSize);
        var read = new Dictionary<TileAddress, ReadOnlyMemory<byte>>();
        foreach (var old in edgeTiles)
        {
            var now = TileMath.TileAt(old.Level, old.Index, to.Size)!.Value;
            var tile = await tiles.ReadHashTileAsync(now, to.Size, cancel).ConfigureAwait(false);
            read[old] = tile[..(old.Width * HashSize)];
        }
        var edge = TileTreeBuilder.Resume(fromSize, address => read[address]);
        byte[] root = edge.Root();
        if (!root.AsSpan().SequenceEqual(fromRoot))
            throw new LogVerificationException(
                $"the log's tiles give the tree at size {fromSize} the root {Convert.ToBase64String(root)}, but the checkpoint verified before at that size has root " +
                $"{Convert.ToBase64String(fromRoot)}: its first {fromSize} entries are not the ones verified before (a fork); its checkpoint is now at size {to.Size} with root {to.RootText}");
        var level0 = edgeTiles.FirstOrDefault(a => a.Level == 0);
        return (edge, fromSize % TileMath.TileWidth == 0 ? ReadOnlyMemory<byte>.Empty : read[level0]);
    }

    /// <summary>Reads, hashes, parses and matches one bundle's entries (those verified before only hashed and compared).</summary>
    private async Task<CheckedBundle> CheckBundleAsync(long index, ReadOnlyMemory<byte> known, long treeSize, CancellationToken cancel)
    {
        var address = TileMath.EntryBundleAt(index, treeSize)!.Value;
        var entries = await tiles.ReadEntryBundleAsync(address, treeSize, cancel).ConfigureAwait(false);
        var hashes = new byte[entries.Count * HashSize];
        for (int i = 0; i < entries.Count; i++)
            Rfc6962.LeafHash(entries[i].Span, hashes.AsSpan(i * HashSize, HashSize));
        int skip = known.Length / HashSize;
        CheckKnownEntries(address, hashes, known.Span);
        var findings = new List<EntryFinding>();
        var tally = new EntryTally();
        for (int i = skip; i < entries.Count; i++)
        {
            var finding = Check(index * TileMath.TileWidth + i, entries[i], out var entry);
            tally.Count(finding, entry);
            if (finding is not null)
                findings.Add(finding);
        }
        ReadOnlyMemory<byte>? level0 = address.IsFull
            ? await tiles.ReadHashTileAsync(new TileAddress(0, index, TileMath.TileWidth), treeSize, cancel).ConfigureAwait(false)
            : null;
        return new CheckedBundle(index, hashes, skip, findings, tally, level0);
    }

    /// <summary>The entries of the old partial bundle must still be there, unchanged: clients read them from this bundle now.</summary>
    private static void CheckKnownEntries(TileAddress address, byte[] hashes, ReadOnlySpan<byte> known)
    {
        for (int i = 0; i < known.Length / HashSize; i++)
        {
            if (!hashes.AsSpan(i * HashSize, HashSize).SequenceEqual(known.Slice(i * HashSize, HashSize)))
                throw new LogVerificationException(
                    $"{address.ToPath()}: entry {address.Index * TileMath.TileWidth + i} is not the entry verified before (its leaf hash differs from the tree's)");
        }
    }

    /// <summary>The finding for one new entry, if it is one: a match, or an entry that does not parse.</summary>
    private EntryFinding? Check(long index, ReadOnlyMemory<byte> body, out LoggedEntry? entry)
    {
        try
        {
            entry = LoggedEntryParser.Parse(body);
        }
        catch (FormatException e)
        {
            entry = null;
            return EntryFinding.Malformed(index, BoundedText.Of(e.Message));
        }
        var rules = watch.Match(entry);
        return rules.Count > 0 ? EntryFinding.Match(index, entry, rules) : null;
    }

    /// <summary>Appends a bundle's new leaves; each full tile that completes must be the one the log serves.</summary>
    private async Task AppendAsync(TileTreeBuilder edge, CheckedBundle bundle, long treeSize, Dictionary<int, TileWrite> partials, CancellationToken cancel)
    {
        foreach (var write in edge.Append(bundle.NewLeafHashes))
        {
            if (!write.Address.IsFull)
            {
                partials[write.Address.Level] = write;
                continue;
            }
            var served = write.Address.Level == 0 && bundle.ServedLevel0Tile is { } level0
                ? level0
                : await tiles.ReadHashTileAsync(write.Address, treeSize, cancel).ConfigureAwait(false);
            CompareTile(write, served.Span);
        }
    }

    private static void CheckRoot(TileTreeBuilder edge, long fromSize, byte[] fromRoot, VerifiedCheckpoint to)
    {
        byte[] root = edge.Root();
        if (!root.AsSpan().SequenceEqual(to.Root))
            throw new LogVerificationException(
                $"the entries {fromSize}..{to.Size - 1} in the log's bundles give the tree at size {to.Size} the root {Convert.ToBase64String(root)}, " +
                $"but the log's checkpoint at size {to.Size} says {to.RootText}: it is not consistent with the checkpoint verified at size {fromSize} " +
                $"(root {Convert.ToBase64String(fromRoot)}), or a bundle was altered");
    }

    /// <summary>
    /// The partial tiles at the new size must be the log's. A level no new entry reached has the
    /// same partial as at the old size, read at that address and checked against the old root already.
    /// </summary>
    private async Task CompareRightEdgeAsync(Dictionary<int, TileWrite> partials, long treeSize, CancellationToken cancel)
    {
        foreach (var address in TileMath.RightEdge(treeSize))
        {
            if (partials.TryGetValue(address.Level, out var write) && write.Address == address)
                CompareTile(write, (await tiles.ReadHashTileAsync(address, treeSize, cancel).ConfigureAwait(false)).Span);
        }
    }

    private static void CompareTile(TileWrite built, ReadOnlySpan<byte> served)
    {
        var expected = built.Data.Span;
        if (served.SequenceEqual(expected))
            return;
        int hash = 0;
        while (served.Slice(hash * HashSize, HashSize).SequenceEqual(expected.Slice(hash * HashSize, HashSize)))
            hash++;
        var address = built.Address;
        string which = address.Level == 0 ? $"the leaf hash of entry {address.Index * TileMath.TileWidth + hash}" : $"hash {hash}";
        throw new LogVerificationException(
            $"{address.ToPath()} as the log serves it differs from the tile its entries give ({which} differs): proofs built from it would not verify");
    }

    /// <summary>Cancels the bundles still being read (after a failure) and waits for them, so nothing outlives the catch-up.</summary>
    private static async Task StopAsync(CancellationTokenSource stop, Queue<Task<CheckedBundle>> pending)
    {
        if (pending.Count == 0)
            return;
        await stop.CancelAsync().ConfigureAwait(false);
        foreach (var task in pending)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The catch-up has already failed with the exception that matters.
            }
        }
    }
}
