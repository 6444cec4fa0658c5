namespace RekorPosix.Http.ReadPath;

/// <summary>What a read route resolves to.</summary>
internal enum ReadStatus
{
    /// <summary>Serve it: the checkpoint from <see cref="ReadResult.Note"/>, else <see cref="ReadResult.Length"/> bytes of <see cref="ReadResult.Fd"/>.</summary>
    Found,
    /// <summary>Absent, or not implied by the published checkpoint.</summary>
    NotFound,
    /// <summary>The file exists but is shorter than its width requires.</summary>
    Damaged,
    /// <summary>The file could not be opened for another reason (permissions, descriptors).</summary>
    Failed,
}

/// <summary>A resolved read: the published checkpoint's bytes, or an open file descriptor that the
/// caller owns and must close, with the number of bytes to send from offset 0.</summary>
internal readonly record struct ReadResult(ReadStatus Status, byte[]? Note, int Fd, long Length)
{
    public static ReadResult NotFound => new(ReadStatus.NotFound, null, -1, 0);
    public static ReadResult Damaged => new(ReadStatus.Damaged, null, -1, 0);
    public static ReadResult Failed => new(ReadStatus.Failed, null, -1, 0);
    public static ReadResult Checkpoint(byte[] note) => new(ReadStatus.Found, note, -1, note.Length);
    public static ReadResult File(int fd, long length) => new(ReadStatus.Found, null, fd, length);

    public bool IsCheckpoint => Note is not null;
}
