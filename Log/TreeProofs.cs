using System.Text;
using Microsoft.Extensions.Logging;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>An inclusion proof against a published checkpoint, as a client receives it.</summary>
public sealed record InclusionProof(byte[] RootHash, long TreeSize, IReadOnlyList<byte[]> Hashes, string Envelope);

/// <summary>A consistency proof from <see cref="FirstSize"/> to the published checkpoint of
/// <see cref="TreeSize"/>, whose root and note it carries.</summary>
public sealed record ConsistencyProof(long FirstSize, byte[] RootHash, long TreeSize, IReadOnlyList<byte[]> Hashes, string Envelope);

/// <summary>
/// Builds inclusion and consistency proofs from the log's tiles against published checkpoints and
/// verifies each one before it is handed out: a proof that does not verify is counted (a metric
/// that should stay at zero) and never returned. Tiles are read with no lock held; only the
/// builders' caches are guarded. A tile many requests lack at once (every request a new checkpoint
/// wakes needs the same few) is read once for all of them: over a bucket each read is a request to
/// the object store, and thousands of callers woken together used to send one each.
/// </summary>
public sealed class TreeProofs(ILogReader reader, ILogger logger)
{
    /// <summary>Tree sizes whose builders are kept: the latest checkpoint's, and a few older ones
    /// that auditors ask about (history).</summary>
    public const int MaxBuilders = 8;

    /// <summary>Tiles one builder may hold before it is dropped for a fresh one: proofs for indices
    /// all over a large tree would otherwise keep every level-0 tile (8 KiB each) until the next
    /// checkpoint.</summary>
    public const int MaxTilesPerBuilder = 256;

    private long _failures;
    private readonly Lock _gate = new();
    // One builder per tree size, shared by every request against it (their proofs overlap, and a
    // builder caches tiles and nodes), with the tick of its last use. Guarded by _gate.
    private readonly Dictionary<long, (ProofBuilder Proofs, long LastUse)> _builders = [];
    private long _ticks;
    // The largest published size seen: a partial tile of an older size that is gone is cut from
    // the tile this size implies. Guarded by _gate.
    private long _widest;
    // The tile reads under way, so that a second request lacking the same tile waits for the first
    // read instead of sending its own. A tile's bytes at an address never change, so a read serves
    // every builder. Guarded by _gate; an entry goes once its read ended.
    private readonly Dictionary<TileAddress, Task<ReadOnlyMemory<byte>>> _reading = [];

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>
    /// The verified inclusion proof of the entry at <paramref name="index"/> in the tree of
    /// <paramref name="published"/>, or null on failure (logged and counted). With
    /// <paramref name="leafHash"/> the proof is checked for that leaf, so a stored leaf that differs
    /// fails it; without, the stored leaf hash is read from the tiles.
    /// </summary>
    /// <param name="latestSize">The latest published size, where a gone partial is cut from.</param>
    public async Task<InclusionProof?> ProveAsync(byte[]? leafHash, long index, PublishedCheckpoint published, CancellationToken cancel,
        long latestSize = 0)
    {
        try
        {
            var checkpoint = published.Body();
            var proofs = Builder(checkpoint.Size, latestSize);
            leafHash ??= await ComputeAsync(proofs, b => b.LeafHash(index), cancel).ConfigureAwait(false);
            var hashes = await ComputeAsync(proofs, b => b.Inclusion(index), cancel).ConfigureAwait(false);
            if (MerkleProof.VerifyInclusion(leafHash, index, checkpoint.Size, hashes, checkpoint.RootHash))
                return new InclusionProof(checkpoint.RootHash, checkpoint.Size, hashes, Encoding.UTF8.GetString(published.Note));
            LogEvents.ProofFailed(logger, index, checkpoint.Size);
        }
        catch (Exception e) when (IsProofFailure(e))
        {
            LogEvents.ProofNotBuilt(logger, index, published.Size, e);
        }
        Interlocked.Increment(ref _failures);
        return null;
    }

    /// <summary>
    /// The verified consistency proof from <paramref name="firstSize"/> to the tree of
    /// <paramref name="published"/>, or null on failure (logged and counted). The root at the first
    /// size is computed from the tiles, and must equal <paramref name="firstRoot"/> when given (the
    /// root of a kept checkpoint of that size).
    /// </summary>
    public async Task<ConsistencyProof?> ProveConsistencyAsync(long firstSize, byte[]? firstRoot, PublishedCheckpoint published,
        CancellationToken cancel, long latestSize = 0)
    {
        try
        {
            var checkpoint = published.Body();
            var hashes = await ComputeAsync(Builder(checkpoint.Size, latestSize), b => b.Consistency(firstSize), cancel).ConfigureAwait(false);
            byte[] rootAtFirst = await RootAsync(firstSize, latestSize, cancel).ConfigureAwait(false);
            if ((firstRoot is null || firstRoot.AsSpan().SequenceEqual(rootAtFirst))
                && MerkleProof.VerifyConsistency(firstSize, checkpoint.Size, rootAtFirst, checkpoint.RootHash, hashes))
                return new ConsistencyProof(firstSize, checkpoint.RootHash, checkpoint.Size, hashes, Encoding.UTF8.GetString(published.Note));
            LogEvents.ConsistencyProofFailed(logger, firstSize, checkpoint.Size);
        }
        catch (Exception e) when (IsProofFailure(e))
        {
            LogEvents.ConsistencyProofNotBuilt(logger, firstSize, published.Size, e);
        }
        Interlocked.Increment(ref _failures);
        return null;
    }

    /// <summary>The root of the tree of <paramref name="treeSize"/>, computed from the tiles (read
    /// failures are thrown).</summary>
    public Task<byte[]> RootAsync(long treeSize, long latestSize, CancellationToken cancel) =>
        ComputeAsync(Builder(treeSize, latestSize), b => b.Root(), cancel);

    private static bool IsProofFailure(Exception e) =>
        e is IOException or FormatException or LogStateException or ArgumentException or InvalidOperationException;

    /// <summary>
    /// A computation on a shared builder. Most requests find every tile cached by the requests
    /// before them; a tile the builder lacks (a few per new checkpoint) is read with no lock held
    /// and handed in, and the computation resumes from the nodes it already cached.
    /// </summary>
    private async Task<T> ComputeAsync<T>(ProofBuilder proofs, Func<ProofBuilder, T> compute, CancellationToken cancel)
    {
        while (true)
        {
            TileAddress missing;
            lock (_gate)
            {
                try
                {
                    return compute(proofs);
                }
                catch (TileNotSuppliedException e)
                {
                    missing = e.Address;
                }
            }
            var tile = await ReadOnceAsync(missing).WaitAsync(cancel).ConfigureAwait(false);
            lock (_gate)
            {
                if (!proofs.Holds(missing))
                    proofs.Supply(missing, tile);
            }
        }
    }

    /// <summary>The tile, read by the first caller that lacks it and shared with the callers that
    /// ask while that read runs. The read is registered before it starts, so that one completing at
    /// once cannot leave its entry behind; it ignores the first caller's cancellation, since others
    /// may be waiting for it (each caller's wait is cancellable).</summary>
    private async Task<ReadOnlyMemory<byte>> ReadOnceAsync(TileAddress address)
    {
        TaskCompletionSource<ReadOnlyMemory<byte>>? read = null;
        Task<ReadOnlyMemory<byte>>? running;
        lock (_gate)
        {
            if (!_reading.TryGetValue(address, out running))
            {
                read = new(TaskCreationOptions.RunContinuationsAsynchronously);
                _reading.Add(address, read.Task);
            }
        }
        if (read is null)
            return await running!.ConfigureAwait(false);
        try
        {
            read.SetResult(await ReadTileAsync(address).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            read.SetException(e);
        }
        finally
        {
            lock (_gate)
                _reading.Remove(address);
        }
        return await read.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// The tile through the reader, which falls back from a gone partial to its full tile. An old
    /// size's partial can be gone while its tile is not full yet (a partial no batch ended at, or
    /// one removed by hand): it is then cut from the wider partial of the latest size, since the
    /// hashes at a position never change.
    /// </summary>
    private async Task<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address)
    {
        try
        {
            return await reader.ReadTileAsync(address, CancellationToken.None).ConfigureAwait(false);
        }
        catch (FileNotFoundException) when (Wider(address) is { } wider)
        {
            var data = await reader.ReadTileAsync(wider, CancellationToken.None).ConfigureAwait(false);
            return HashTile.Trim(data, address.Width);
        }
    }

    /// <summary>The partial of the widest size known that holds the address's hashes, if wider.</summary>
    private TileAddress? Wider(TileAddress address)
    {
        long widest;
        lock (_gate)
            widest = _widest;
        return !address.IsFull && TileMath.TileAt(address.Level, address.Index, widest) is { IsFull: false } wider && wider.Width > address.Width
            ? wider
            : null;
    }

    /// <summary>The shared builder for a tree size, made when first asked for; the least recently
    /// used one goes when more than <see cref="MaxBuilders"/> sizes are asked about.</summary>
    private ProofBuilder Builder(long treeSize, long latestSize)
    {
        lock (_gate)
        {
            _widest = Math.Max(_widest, Math.Max(treeSize, latestSize));
            long tick = ++_ticks;
            if (!_builders.TryGetValue(treeSize, out var kept) || kept.Proofs.TilesHeld > MaxTilesPerBuilder)
            {
                if (_builders.Count >= MaxBuilders && !_builders.ContainsKey(treeSize))
                    _builders.Remove(_builders.MinBy(b => b.Value.LastUse).Key);
                kept = (new ProofBuilder(treeSize), tick);
            }
            _builders[treeSize] = (kept.Proofs, tick);
            return kept.Proofs;
        }
    }
}
