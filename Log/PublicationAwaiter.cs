namespace RekorPosix.Log;

/// <summary>
/// Lets callers wait for a published checkpoint that covers their index. The publisher calls
/// <see cref="Publish"/> the moment a checkpoint is written, which wakes exactly the waiters it
/// covers: no polling, and no thread held while waiting.
/// </summary>
internal sealed class PublicationAwaiter
{
    private readonly object _gate = new();
    private readonly PriorityQueue<TaskCompletionSource<PublishedCheckpoint>, long> _waiters = new();
    private PublishedCheckpoint? _latest;
    private Exception? _stopped;

    public PublishedCheckpoint? Latest
    {
        get { lock (_gate) return _latest; }
    }

    /// <summary>Records a newly published checkpoint; an older one than already known is ignored.</summary>
    public void Publish(PublishedCheckpoint checkpoint)
    {
        var woken = new List<TaskCompletionSource<PublishedCheckpoint>>();
        lock (_gate)
        {
            if (_latest is not null && checkpoint.Size < _latest.Size)
                return;
            _latest = checkpoint;
            while (_waiters.TryPeek(out var waiter, out long index) && index < checkpoint.Size)
            {
                _waiters.Dequeue();
                woken.Add(waiter);
            }
        }
        foreach (var waiter in woken)
            waiter.TrySetResult(checkpoint);
    }

    /// <summary>Completes when a published checkpoint has size &gt; <paramref name="index"/>.</summary>
    public Task<PublishedCheckpoint> WaitAsync(long index, CancellationToken cancel)
    {
        TaskCompletionSource<PublishedCheckpoint> waiter;
        lock (_gate)
        {
            if (_latest is not null && _latest.Size > index)
                return Task.FromResult(_latest);
            if (_stopped is not null)
                return Task.FromException<PublishedCheckpoint>(_stopped);
            waiter = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter, index);
        }
        // A cancelled waiter stays queued until a checkpoint covers it; completing it twice is harmless.
        return cancel.CanBeCanceled ? waiter.Task.WaitAsync(cancel) : waiter.Task;
    }

    /// <summary>Fails every remaining waiter (at shutdown, when no checkpoint will come).</summary>
    public void Stop(Exception reason)
    {
        List<TaskCompletionSource<PublishedCheckpoint>> failed = [];
        lock (_gate)
        {
            _stopped = reason;
            while (_waiters.TryDequeue(out var waiter, out _))
                failed.Add(waiter);
        }
        foreach (var waiter in failed)
            waiter.TrySetException(reason);
    }
}
