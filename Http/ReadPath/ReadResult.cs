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

/// <summary>A resolved read: bytes in memory (the published checkpoint, a cached tile), or an
/// open file descriptor that the caller owns and must close, with the number of bytes to send
/// from offset 0.</summary>
internal readonly record struct ReadResult(ReadStatus Status, bool IsCheckpoint, byte[]? Body, int Fd, long Length)
{
    public static ReadResult NotFound => new(ReadStatus.NotFound, false, null, -1, 0);
    public static ReadResult Damaged => new(ReadStatus.Damaged, false, null, -1, 0);
    public static ReadResult Failed => new(ReadStatus.Failed, false, null, -1, 0);
    public static ReadResult Checkpoint(byte[] note) => new(ReadStatus.Found, true, note, -1, note.Length);
    public static ReadResult Memory(byte[] bytes) => new(ReadStatus.Found, false, bytes, -1, bytes.Length);
    public static ReadResult File(int fd, long length) => new(ReadStatus.Found, false, null, fd, length);
}
