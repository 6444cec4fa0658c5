using System.Text;
using Microsoft.Extensions.Logging;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>An inclusion proof against a published checkpoint, as a client receives it.</summary>
public sealed record InclusionProof(byte[] RootHash, long TreeSize, IReadOnlyList<byte[]> Hashes, string Envelope);

/// <summary>
/// Builds inclusion proofs from the log's tiles against a published checkpoint and verifies
/// each one before it is handed out: a proof that does not verify is counted (a metric that
/// should stay at zero) and never returned. Tiles are read with no lock held; only the shared
/// builder's caches are guarded. A tile many requests lack at once (every request a new checkpoint
/// wakes needs the same few) is read once for all of them: over a bucket each read is a request to
/// the object store, and thousands of callers woken together used to send one each.
/// </summary>
public sealed class InclusionProofs(ITransparencyLog log, ILogger logger)
{
    private long _failures;
    private readonly Lock _gate = new();
    // The latest checkpoint, parsed, with one proof builder that every request waiting on it
    // shares: their proofs overlap, and the builder caches tiles and nodes.
    private (PublishedCheckpoint Source, Checkpoint Parsed, ProofBuilder Proofs)? _current;
    // The tile reads under way, so that a second request lacking the same tile waits for the first
    // read instead of sending its own. A tile's bytes at an address never change, so a read serves
    // every builder. Guarded by _gate; an entry goes once its read ended.
    private readonly Dictionary<TileAddress, Task<ReadOnlyMemory<byte>>> _reading = [];

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The verified proof for <paramref name="leafHash"/> at <paramref name="index"/>, or null on failure.</summary>
    public async Task<InclusionProof?> ProveAsync(byte[] leafHash, long index, PublishedCheckpoint published, CancellationToken cancel)
    {
        try
        {
            var (_, checkpoint, proofs) = Current(published);
            var hashes = await InclusionAsync(proofs, index, cancel).ConfigureAwait(false);
            if (MerkleProof.VerifyInclusion(leafHash, index, checkpoint.Size, hashes, checkpoint.RootHash))
                return new InclusionProof(checkpoint.RootHash, checkpoint.Size, hashes, Encoding.UTF8.GetString(published.Note));
            LogEvents.ProofFailed(logger, index, checkpoint.Size, null);
        }
        catch (Exception e) when (e is IOException or FormatException or LogStateException or ArgumentException or InvalidOperationException)
        {
            LogEvents.ProofFailed(logger, index, published.Size, e);
        }
        Interlocked.Increment(ref _failures);
        return null;
    }

    /// <summary>
    /// The audit path from the shared builder. Most requests find every tile cached by the requests
    /// before them; a tile the builder lacks (a few per new checkpoint) is read with no lock held
    /// and handed in, and the computation resumes from the nodes it already cached.
    /// </summary>
    private async Task<IReadOnlyList<byte[]>> InclusionAsync(ProofBuilder proofs, long index, CancellationToken cancel)
    {
        while (true)
        {
            TileAddress missing;
            lock (_gate)
            {
                try
                {
                    return proofs.Inclusion(index);
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
            read.SetResult(await log.Reader.ReadTileAsync(address, CancellationToken.None).ConfigureAwait(false));
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

    /// <summary>The shared state for a published note, made once per checkpoint.</summary>
    private (PublishedCheckpoint Source, Checkpoint Parsed, ProofBuilder Proofs) Current(PublishedCheckpoint published)
    {
        lock (_gate)
        {
            if (_current is { } cached && ReferenceEquals(cached.Source, published))
                return cached;
            var parsed = published.Body();
            var fresh = (published, parsed, new ProofBuilder(parsed.Size));
            // Requests waiting on an older checkpoint (rare) get a builder of their own, not the shared one.
            if (_current is null || _current.Value.Parsed.Size <= parsed.Size)
                _current = fresh;
            return fresh;
        }
    }
}
