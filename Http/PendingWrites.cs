namespace RekorPosix.Http;

/// <summary>
/// Counts the writes in progress, from their arrival to their answer, and refuses new ones beyond
/// a limit. Each write waits for a checkpoint (up to the interval) holding its entry, its request
/// state and its connection, so at a given rate memory grows with the interval and with any stall;
/// the limit (<c>--max-pending-writes</c>) turns that growth into pushback (503, Retry-After) for
/// the writes beyond it, answered before any verification is spent on them. 0: no limit.
/// </summary>
public sealed class PendingWrites(int limit)
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts a write in; false (and not counted) when the limit is reached.</summary>
    public bool TryEnter()
    {
        int count = Interlocked.Increment(ref _count);
        if (limit <= 0 || count <= limit)
            return true;
        Interlocked.Decrement(ref _count);
        return false;
    }

    /// <summary>Counts out a write that <see cref="TryEnter"/> let in.</summary>
    public void Exit() => Interlocked.Decrement(ref _count);
}
