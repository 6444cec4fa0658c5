using System.Text;
using Microsoft.Extensions.Logging;
using RekorPosix.Signing;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>An inclusion proof against a published checkpoint, as a client receives it.</summary>
public sealed record InclusionProof(byte[] RootHash, long TreeSize, IReadOnlyList<byte[]> Hashes, string Envelope);

/// <summary>
/// Builds inclusion proofs from the log's tiles against a published checkpoint and verifies
/// each one before it is handed out: a proof that does not verify is counted (a metric that
/// should stay at zero) and never returned.
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
    public InclusionProof? Prove(byte[] leafHash, long index, PublishedCheckpoint published)
    {
        try
        {
            Checkpoint checkpoint;
            IReadOnlyList<byte[]> hashes;
            lock (_gate)
            {
                var current = Current(published);
                checkpoint = current.Parsed;
                hashes = current.Proofs.Inclusion(index);
            }
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

    /// <summary>The shared state for a published note, made once per checkpoint.</summary>
    private (PublishedCheckpoint Source, Checkpoint Parsed, ProofBuilder Proofs) Current(PublishedCheckpoint published)
    {
        if (_current is { } cached && ReferenceEquals(cached.Source, published))
            return cached;
        var parsed = Checkpoint.Parse(SignedNote.Parse(published.Note).Text);
        var fresh = (published, parsed, new ProofBuilder(parsed.Size, log.Reader.ReadTile));
        // Requests waiting on an older checkpoint (rare) get a builder of their own, not the shared one.
        if (_current is null || _current.Value.Parsed.Size <= parsed.Size)
            _current = fresh;
        return fresh;
    }
}
