namespace RekorPosix.Http.TileServer;

/// <summary>Which Connection header an answer carries: none for HTTP/1.1 keep-alive (the default).</summary>
internal enum ConnectionLine
{
    None,
    Close,
    KeepAlive,
}
