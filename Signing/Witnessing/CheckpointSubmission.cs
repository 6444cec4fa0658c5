using RekorPosix.Tiles;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// An add-checkpoint request whose checkpoint is signed by the log it names: the request, the note
/// exactly as received (what is cosigned is its text, never a re-rendering), its parts, and the
/// checkpoint the text holds.
/// </summary>
public sealed record CheckpointSubmission(AddCheckpointRequest Request, string Note, NoteEnvelope Envelope, Checkpoint Checkpoint)
{
    public string Text => Envelope.Text;
}
