using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// The latest checkpoint a witness cosigned for a log: the note as the log sent it plus the witness's
/// cosignature line, as the monitoring read of https://c2sp.org/tlog-witness serves it. Its size and
/// root are the witness's state for that log, so the one note is both what is served and what the
/// next request must extend.
/// </summary>
public sealed record CosignedCheckpoint(string Note, Checkpoint Checkpoint)
{
    /// <exception cref="FormatException">Not a signed note holding a checkpoint.</exception>
    public static CosignedCheckpoint Parse(string note)
    {
        var envelope = SignedNote.Parse(note);
        return new CosignedCheckpoint(note, Checkpoint.Parse(envelope.Text));
    }

    /// <summary>
    /// The submitted note with <paramref name="cosignature"/>, a line by <paramref name="cosigner"/>,
    /// appended; earlier lines of the same key in it are dropped, so that the note carries one.
    /// </summary>
    public static CosignedCheckpoint Compose(CheckpointSubmission submission, INoteSigner cosigner, string cosignature)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(cosigner);
        // The signature block follows the text and one blank line; Parse kept its lines in order.
        string[] lines = submission.Note[(submission.Text.Length + 1)..].Split('\n');
        var note = new StringBuilder(submission.Note.Length + cosignature.Length);
        note.Append(submission.Text).Append('\n');
        for (int i = 0; i < submission.Envelope.Signatures.Count; i++)
        {
            var signature = submission.Envelope.Signatures[i];
            if (signature.KeyId != cosigner.KeyId || signature.Name != cosigner.Name)
                note.Append(lines[i]).Append('\n');
        }
        note.Append(cosignature);
        return new CosignedCheckpoint(note.ToString(), submission.Checkpoint);
    }
}
