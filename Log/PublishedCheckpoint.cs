using RekorPosix.Signing;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>A checkpoint as published: its tree size and the signed note exactly as stored.</summary>
public sealed record PublishedCheckpoint(long Size, byte[] Note)
{
    /// <summary>A stored note, its size read without checking signatures.</summary>
    public static PublishedCheckpoint FromNote(byte[] note) => new(ParseBody(note).Size, note);

    /// <summary>The checkpoint body of a stored note, without checking signatures. Throws
    /// <see cref="LogStateException"/>: a stored checkpoint that does not parse is damage.</summary>
    public static Checkpoint ParseBody(byte[] note)
    {
        try
        {
            return Checkpoint.Parse(SignedNote.Parse(note).Text);
        }
        catch (FormatException e)
        {
            throw new LogStateException($"checkpoint: {e.Message}", e);
        }
    }

    public Checkpoint Body() => ParseBody(Note);
}
