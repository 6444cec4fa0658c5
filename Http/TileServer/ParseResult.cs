namespace RekorPosix.Http.TileServer;

/// <summary>Outcome of looking for a request head at the start of the input.</summary>
internal enum ParseResult
{
    /// <summary>More bytes are needed, and the limits still allow them.</summary>
    Incomplete,
    /// <summary>A whole head was parsed.</summary>
    Complete,
    /// <summary>The input is refused with the status given; the connection closes after it.</summary>
    Invalid,
}
