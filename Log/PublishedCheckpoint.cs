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

    /// <summary>A note a <see cref="CheckpointMaker"/> returned for <paramref name="head"/>: refused
    /// (and so never stored) unless it is a checkpoint of exactly that tree.</summary>
    public static PublishedCheckpoint MadeFor(byte[] note, TreeHead head)
    {
        var made = FromNote(note);
        if (made.Size != head.Size || !made.Body().RootHash.AsSpan().SequenceEqual(head.Root))
            throw new InvalidOperationException($"the checkpoint made for size {head.Size} is for size {made.Size} or another root");
        return made;
    }
}
