namespace RekorPosix.Http.ReadPath;

/// <summary>What a read route resolves to.</summary>
internal enum ReadStatus
{
    /// <summary>Serve it: <see cref="ReadResult.Body"/> from memory, else <see cref="ReadResult.Length"/> bytes of <see cref="ReadResult.Fd"/>.</summary>
    Found,
    /// <summary>Absent, or not implied by the published checkpoint.</summary>
    NotFound,
    /// <summary>The file exists but is shorter than its width requires.</summary>
    Damaged,
    /// <summary>The file could not be opened or read for another reason (permissions, descriptors).</summary>
    Failed,
}

/// <summary>What a found resource is, which sets its headers (<see cref="ReadHeaders"/>).</summary>
internal enum ReadKind
{
    /// <summary>A hash tile or entry bundle: binary, immutable.</summary>
    Tile,
    /// <summary>The published checkpoint: text, revalidated on every use.</summary>
    Checkpoint,
    /// <summary>A kept checkpoint of checkpoint history: text, immutable.</summary>
    History,
}

/// <summary>A resolved read: bytes in memory (the published checkpoint, a cached tile), or an
/// open file descriptor that the caller owns and must close, with the number of bytes to send
/// from offset 0.</summary>
internal readonly record struct ReadResult(ReadStatus Status, ReadKind Kind, byte[]? Body, int Fd, long Length)
{
    public bool IsCheckpoint => Kind == ReadKind.Checkpoint;

    /// <summary>The Content-Type of the resource.</summary>
    public string ContentType => Kind == ReadKind.Tile ? ReadHeaders.TileType : ReadHeaders.CheckpointType;

    /// <summary>The Cache-Control of the resource.</summary>
    public string CacheControl => Kind == ReadKind.Checkpoint ? ReadHeaders.CheckpointCache : ReadHeaders.TileCache;

    public static ReadResult NotFound => new(ReadStatus.NotFound, ReadKind.Tile, null, -1, 0);
    public static ReadResult Damaged => new(ReadStatus.Damaged, ReadKind.Tile, null, -1, 0);
    public static ReadResult Failed => new(ReadStatus.Failed, ReadKind.Tile, null, -1, 0);
    public static ReadResult Checkpoint(byte[] note) => new(ReadStatus.Found, ReadKind.Checkpoint, note, -1, note.Length);
    public static ReadResult Memory(byte[] bytes, ReadKind kind = ReadKind.Tile) => new(ReadStatus.Found, kind, bytes, -1, bytes.Length);
    public static ReadResult File(int fd, long length, ReadKind kind = ReadKind.Tile) => new(ReadStatus.Found, kind, null, fd, length);
}
