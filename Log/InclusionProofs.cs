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
    private (PublishedCheckpoint Source, Checkpoint Parsed)? _lastParsed;

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The verified proof for <paramref name="leafHash"/> at <paramref name="index"/>, or null on failure.</summary>
    public InclusionProof? Prove(byte[] leafHash, long index, PublishedCheckpoint published)
    {
        try
        {
            var checkpoint = Parse(published);
            var hashes = new ProofBuilder(checkpoint.Size, log.Reader.ReadTile).Inclusion(index);
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

    /// <summary>Parses a published note once; every request waiting on it shares the result.</summary>
    private Checkpoint Parse(PublishedCheckpoint published)
    {
        var last = _lastParsed;
        if (last is { } cached && ReferenceEquals(cached.Source, published))
            return cached.Parsed;
        var parsed = Checkpoint.Parse(SignedNote.Parse(published.Note).Text);
        _lastParsed = (published, parsed);
        return parsed;
    }
}
