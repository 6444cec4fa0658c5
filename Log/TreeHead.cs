namespace RekorPosix.Log;

/// <summary>The integrated tree: its size and RFC 6962 root. Integration's result, and what a
/// checkpoint is made from.</summary>
public sealed record TreeHead(long Size, byte[] Root)
{
    public static TreeHead Empty { get; } = new(0, Tiles.Rfc6962.EmptyRoot);

    public bool SameAs(TreeHead other) => Size == other.Size && Root.AsSpan().SequenceEqual(other.Root);
}
