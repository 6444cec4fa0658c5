using RekorPosix.Log.Files;
using RekorPosix.Signing;

namespace RekorPosix.Monitoring;

/// <summary>
/// The state file (<c>--state</c>): the last checkpoint the monitor verified, as the signed note
/// itself. Loading verifies it again with the log's key, so a damaged file or one from another log
/// is an error (exit 2), never a silent fresh start; only a missing file starts from size 0. It is
/// replaced crash-safely (temp file, fsync, rename, fsync of the directory: Log/Files/AtomicFiles)
/// and only ever with a checkpoint whose every entry has been checked. A lock file beside it keeps
/// a second monitor off the same state.
/// </summary>
internal sealed class MonitorStateFile(string path)
{
    public string Path => path;

    /// <summary>The checkpoint last verified, or null when the file does not exist (first run).</summary>
    /// <exception cref="MonitorInputException">The file cannot be read or is not a checkpoint of this log.</exception>
    public VerifiedCheckpoint? Load(INoteVerifier log)
    {
        byte[] note;
        try
        {
            if (new FileInfo(path) is { Exists: true, Length: > TileFetcher.MaxCheckpointBytes } large)
                throw new MonitorInputException($"--state {path}: {large.Length} bytes, not a checkpoint");
            note = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MonitorInputException($"--state {path}: {e.Message}", e);
        }
        try
        {
            return VerifiedCheckpoint.Verify(note, log);
        }
        catch (LogVerificationException e)
        {
            throw new MonitorInputException(
                $"--state {path} is damaged or belongs to another log ({e.Message}); it is never replaced by a fresh start: move it away to verify the log again from size 0", e);
        }
    }

    /// <exception cref="MonitorInputException">The file cannot be written.</exception>
    public void Save(VerifiedCheckpoint checkpoint)
    {
        try
        {
            AtomicFiles.Overwrite(path, checkpoint.Note);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MonitorInputException($"--state {path}: cannot save the checkpoint verified at size {checkpoint.Size}: {e.Message}", e);
        }
    }

    /// <summary>Holds <c>&lt;state&gt;.lock</c> until disposed.</summary>
    /// <exception cref="MonitorInputException">Another monitor holds it, or it cannot be made.</exception>
    public IDisposable Lock()
    {
        string lockPath = path + ".lock";
        try
        {
            return FileLock.TryAcquire(lockPath)
                ?? throw new MonitorInputException($"--state {path}: another monitor is using it (it holds {lockPath})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MonitorInputException($"--state {path}: cannot lock {lockPath}: {e.Message}", e);
        }
    }
}
