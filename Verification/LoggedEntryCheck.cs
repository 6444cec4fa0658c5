using System.Text.Json;
using RekorPosix.Signing;
using RekorPosix.Tiles;

namespace RekorPosix.Verification;

/// <summary>
/// Proves a bundle's Rekor v2 log entry: the entry is hashedrekord v0.0.2, its body is exactly the
/// one rebuilt from the bundle's own digest, signature and key, its inclusion proof leads to the
/// root of a checkpoint that the trusted log's key signed under the log's origin, and the log was
/// trusted at the signing time. https://github.com/sigstore/rekor-tiles/blob/main/CLIENTS.md
/// </summary>
internal static class LoggedEntryCheck
{
    /// <summary>The log index proven. <paramref name="expectedBody"/> is the canonical body rebuilt from the bundle.</summary>
    public static long Verify(BundleLogEntry entry, byte[] expectedBody, TrustedRoot root, DateTimeOffset? signedAt)
    {
        if (entry.Kind != "hashedrekord" || entry.Version != "0.0.2")
            throw Rejected(entry, $"kind {Quote.Bounded(entry.Kind)} version {Quote.Bounded(entry.Version)} is not a Rekor v2 hashedrekord 0.0.2 entry");
        if (!entry.CanonicalizedBody.AsSpan().SequenceEqual(expectedBody))
            throw Rejected(entry, "the logged body is not the one the bundle's digest, signature and key make");
        var proof = entry.Proof ?? throw Rejected(entry, "no inclusion proof (a Rekor v2 entry is proven by one)");
        if (proof.LogIndex != entry.LogIndex)
            throw Rejected(entry, $"the inclusion proof is for index {proof.LogIndex}");
        var log = TrustedLogOf(entry, root);
        if (signedAt is { } time && !log.ValidFor.Contains(time))
            throw Rejected(entry, $"log {log.BaseUrl} is trusted {log.ValidFor}, not at the signing time {time:u}");
        var checkpoint = VerifiedCheckpoint(entry, proof, log);
        if (checkpoint.Size != proof.TreeSize || !checkpoint.RootHash.AsSpan().SequenceEqual(proof.RootHash))
            throw Rejected(entry, $"the inclusion proof (size {proof.TreeSize}) is not against its checkpoint (size {checkpoint.Size})");
        var leaf = Rfc6962.LeafHash(entry.CanonicalizedBody);
        if (!MerkleProof.VerifyInclusion(leaf, entry.LogIndex, checkpoint.Size, proof.Hashes, checkpoint.RootHash))
            throw Rejected(entry, $"the inclusion proof does not lead to the root of the checkpoint of size {checkpoint.Size}");
        return entry.LogIndex;
    }

    /// <summary>The keyDetails a logged hashedrekord body names, to rebuild it with.</summary>
    public static string KeyDetailsOf(BundleLogEntry entry)
    {
        try
        {
            using var body = JsonDocument.Parse(entry.CanonicalizedBody);
            var verifier = body.RootElement.GetProperty("spec").GetProperty("hashedRekordV002").GetProperty("signature").GetProperty("verifier");
            return verifier.GetProperty("keyDetails").GetString() ?? throw new KeyNotFoundException();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw Rejected(entry, "the logged body is not a hashedrekord 0.0.2 body with keyDetails");
        }
    }

    /// <summary>The trusted log whose log ID the entry names.</summary>
    private static TrustedLog TrustedLogOf(BundleLogEntry entry, TrustedRoot root)
    {
        var logId = entry.LogId ?? throw Rejected(entry, "no log ID");
        return root.Logs.FirstOrDefault(log => log.LogId.AsSpan().SequenceEqual(logId))
            ?? throw Rejected(entry, $"log ID {Convert.ToBase64String(logId)} is not a log of the trusted root");
    }

    /// <summary>
    /// The checkpoint, its signature verified with the log's key under the checkpoint's origin. The
    /// origin must be the log's: an Ed25519 or RSA log ID commits to it; an ECDSA one does not, so
    /// then it must be the host of the log's URL, as Rekor v2 names its logs.
    /// </summary>
    private static Checkpoint VerifiedCheckpoint(BundleLogEntry entry, BundleInclusionProof proof, TrustedLog log)
    {
        var note = proof.Checkpoint ?? throw Rejected(entry, "the inclusion proof has no checkpoint");
        Checkpoint checkpoint;
        try
        {
            checkpoint = Checkpoint.Parse(SignedNote.Parse(note).Text);
        }
        catch (FormatException e)
        {
            throw Rejected(entry, $"malformed checkpoint: {e.Message}");
        }
        var origin = checkpoint.Origin;
        bool originBound = log.Key.KeyType is LogKeyType.Ed25519 or LogKeyType.Rsa;
        if (!NoteKeyName.IsValid(origin) || !log.Key.LogId(origin).AsSpan().SequenceEqual(log.LogId) || (!originBound && origin != log.Origin))
            throw Rejected(entry, $"checkpoint origin {Quote.Bounded(origin)} is not the origin of log {log.BaseUrl}");
        try
        {
            SignedNote.Open(note, [log.Key.CreateNoteVerifier(origin)]);
        }
        catch (Exception e) when (e is NoteVerificationException or FormatException)
        {
            throw Rejected(entry, $"checkpoint signature: {e.Message}");
        }
        return checkpoint;
    }

    private static BundleRejectedException Rejected(BundleLogEntry entry, string why) =>
        new($"log entry {entry.LogIndex}: {why}");
}
