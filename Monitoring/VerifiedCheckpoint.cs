using RekorPosix.Signing;
using RekorPosix.Tiles;
using RekorPosix.Verification;

namespace RekorPosix.Monitoring;

/// <summary>
/// A checkpoint note signed by the log's key, whose origin is the key's name
/// (https://c2sp.org/tlog-checkpoint, https://c2sp.org/signed-note). The note is kept byte for
/// byte: it is what the state file holds, and evidence if the log later contradicts it.
/// </summary>
internal sealed class VerifiedCheckpoint
{
    private VerifiedCheckpoint(byte[] note, Checkpoint body)
    {
        Note = note;
        Body = body;
    }

    public byte[] Note { get; }

    public Checkpoint Body { get; }

    public long Size => Body.Size;

    public byte[] Root => Body.RootHash;

    /// <summary>The root as checkpoints spell it, for messages.</summary>
    public string RootText => Convert.ToBase64String(Body.RootHash);

    /// <exception cref="LogVerificationException">Not a checkpoint, not signed by <paramref name="log"/>, or for another origin.</exception>
    public static VerifiedCheckpoint Verify(byte[] note, INoteVerifier log)
    {
        Checkpoint body;
        try
        {
            body = Checkpoint.Parse(SignedNote.Open(note, [log]));
        }
        catch (Exception e) when (e is FormatException or NoteVerificationException)
        {
            throw new LogVerificationException($"the checkpoint does not verify with {log.Name}+{log.KeyId:x8}: {BoundedText.Of(e.Message)}", e);
        }
        if (body.Origin != log.Name)
            throw new LogVerificationException($"the checkpoint's origin \"{BoundedText.Of(body.Origin)}\" is not the log key's name \"{log.Name}\"");
        return new VerifiedCheckpoint(note, body);
    }
}
