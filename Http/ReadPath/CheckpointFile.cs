using RekorPosix.Log;
using RekorPosix.Signing;

namespace RekorPosix.Http.ReadPath;

/// <summary>
/// The published checkpoint of a log this process does not write (<c>--read-only</c>): the
/// <c>checkpoint</c> file itself, re-read when its size or mtime changes, looked at no more than
/// once per <paramref name="recheck"/> so that a busy read path does not stat it per request.
/// </summary>
internal sealed class CheckpointFile(string path, TimeSpan recheck)
{
    private readonly Lock _gate = new();
    private readonly long _recheckMs = (long)recheck.TotalMilliseconds;
    private PublishedCheckpoint? _current;
    private long _nextCheck;
    private (DateTime Modified, long Length) _seen;

    public PublishedCheckpoint? Current()
    {
        long now = Environment.TickCount64;
        if (now < Volatile.Read(ref _nextCheck))
            return Volatile.Read(ref _current);
        lock (_gate)
        {
            if (now >= _nextCheck)
            {
                Refresh();
                Volatile.Write(ref _nextCheck, now + _recheckMs);
            }
            return _current;
        }
    }

    private void Refresh()
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            _current = null;
            return;
        }
        var seen = (info.LastWriteTimeUtc, info.Length);
        if (_current is not null && seen == _seen)
            return;
        try
        {
            byte[] note = File.ReadAllBytes(path);
            long size = Tiles.Checkpoint.Parse(SignedNote.Parse(note).Text).Size;
            Volatile.Write(ref _current, new PublishedCheckpoint(size, note));
            _seen = seen;
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            // Replaced while we read it, or damaged: keep serving the last good one.
        }
    }
}
