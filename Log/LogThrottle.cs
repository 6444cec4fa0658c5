namespace RekorPosix.Log;

/// <summary>
/// At most one log line of a kind per interval, for events a client can cause at will (malformed
/// bodies, broken gRPC frames): the first one passes, the others in the same interval are only
/// counted, and the next line that passes says how many were held back, so nothing is hidden and
/// a flood costs one line per interval.
/// </summary>
public sealed class LogThrottle(TimeSpan interval, TimeProvider? clock = null)
{
    /// <summary>One line per 10 s and kind: a flood stays readable, a lone event is never lost.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private long _nextLine = long.MinValue;
    private int _heldBack;

    public LogThrottle() : this(DefaultInterval)
    {
    }

    /// <summary>True when this event may be logged; <paramref name="heldBack"/> then counts the events
    /// not logged since the last line.</summary>
    public bool TryPass(out int heldBack)
    {
        long now = _clock.GetTimestamp();
        lock (_lock)
        {
            if (now < _nextLine)
            {
                _heldBack++;
                heldBack = 0;
                return false;
            }
            _nextLine = now + (long)(interval.TotalSeconds * _clock.TimestampFrequency);
            heldBack = _heldBack;
            _heldBack = 0;
            return true;
        }
    }

    /// <summary>The events held back since the last line or the last call, for a summary line.</summary>
    public int TakeHeldBack()
    {
        lock (_lock)
        {
            int heldBack = _heldBack;
            _heldBack = 0;
            return heldBack;
        }
    }
}
