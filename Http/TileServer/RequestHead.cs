namespace RekorPosix.Http.TileServer;

/// <summary>The parts of a request head the tile listener acts on; the target is a slice of the
/// connection's input buffer, given as offsets so that nothing is copied.</summary>
internal struct RequestHead
{
    /// <summary>Bytes from the buffer's start to the end of the blank line that ends the head.</summary>
    public int Length;
    public bool IsGet;
    public bool IsHead;
    /// <summary>The path of the target: from its first byte to before any '?'.</summary>
    public int PathStart;
    public int PathLength;
    public bool KeepAlive;
    /// <summary>An HTTP/1.0 client that asked to keep the connection: it needs to be told yes.</summary>
    public bool AnnounceKeepAlive;

    public readonly bool IsRead => IsGet || IsHead;
}
