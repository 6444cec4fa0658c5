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
/// builder's caches are guarded.
/// </summary>
public sealed class InclusionProofs(ITransparencyLog log, ILogger logger)
{
    private long _failures;
    private readonly Lock _gate = new();
    // The latest checkpoint, parsed, with one proof builder that every request waiting on it
    // shares: their proofs overlap, and the builder caches tiles and nodes.
    private (PublishedCheckpoint Source, Checkpoint Parsed, ProofBuilder Proofs)? _current;

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
            var tile = await log.Reader.ReadTileAsync(missing, cancel).ConfigureAwait(false);
            lock (_gate)
            {
                if (!proofs.Holds(missing))
                    proofs.Supply(missing, tile);
            }
        }
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
