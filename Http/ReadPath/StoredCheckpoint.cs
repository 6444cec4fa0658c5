using RekorPosix.Log;

namespace RekorPosix.Http.ReadPath;

/// <summary>
/// The published checkpoint of a log in storage this process does not write (a cloud flavour's
/// <c>--read-only</c>): read through the driver's reader at most once per <paramref name="recheck"/>.
/// Only the first request waits for storage; later ones get the last good checkpoint at once
/// while a refresh runs, so a slow bucket never slows reads of what is already known.
/// </summary>
internal sealed class StoredCheckpoint(ILogReader reader, TimeSpan recheck)
{
    private readonly Lock _gate = new();
    private readonly long _recheckMs = (long)recheck.TotalMilliseconds;
    private PublishedCheckpoint? _current;
    private Task _refresh = Task.CompletedTask;
    private long _nextCheck;

    public async ValueTask<PublishedCheckpoint?> CurrentAsync(CancellationToken cancel)
    {
        Task refresh;
        lock (_gate)
        {
            long now = Environment.TickCount64;
            if (now >= _nextCheck && _refresh.IsCompleted)
            {
                _nextCheck = now + _recheckMs;
                _refresh = RefreshAsync();
            }
            refresh = _refresh;
        }
        if (Volatile.Read(ref _current) is null)
            await refresh.WaitAsync(cancel).ConfigureAwait(false);
        return Volatile.Read(ref _current);
    }

    private async Task RefreshAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(StoredFiles.ReadTimeout);
            if (await reader.ReadCheckpointAsync(timeout.Token).ConfigureAwait(false) is { } note)
            {
                var read = PublishedCheckpoint.FromNote(note);
                // Never backwards: a lagging replica of the bucket must not shrink what we serve.
                if (read.Size >= (Volatile.Read(ref _current)?.Size ?? -1))
                    Volatile.Write(ref _current, read);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Unreachable or damaged: keep serving the last good one; the first request after
            // the recheck interval tries again.
        }
    }
}
