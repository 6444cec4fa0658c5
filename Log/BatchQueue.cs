using System.Diagnostics;

namespace RekorPosix.Log;

/// <summary>
/// Gathers added entries into batches and hands each batch, in arrival order, to one dedicated
/// worker thread that sequences it. It is a group commit: when the worker is free it takes
/// whatever has arrived once the oldest entry has lingered <see cref="Linger"/> (never more than
/// <c>maxAge</c>), at most <c>maxBatch</c> entries; while it sequences, the next batch grows.
/// So a quiet log answers in milliseconds and a busy one makes large batches by itself, without
/// entries sitting out a fixed age (tessera waits for size or age; the age is only an upper bound
/// here). Sequencing may block on flock, fsync or a database, so it gets a thread of its own
/// rather than a pool thread. An Add's task resolves with the entry's index only after the
/// sequence function returned, i.e. after the batch's indices are durable.
/// </summary>
internal sealed class BatchQueue
{
    private readonly Func<IReadOnlyList<ReadOnlyMemory<byte>>, long> _sequence;
    private readonly int _maxBatch;
    /// <summary>How long the worker lets the first entry of a batch wait for company.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(2);

    private readonly long _lingerTicks;
    private readonly int _maxQueued;
    private readonly object _gate = new();
    private readonly List<Pending> _pending = [];
    private readonly Thread _worker;
    private bool _stopping;

    public BatchQueue(Func<IReadOnlyList<ReadOnlyMemory<byte>>, long> sequence, int maxBatch, TimeSpan maxAge, int maxQueued)
    {
        _sequence = sequence;
        _maxBatch = maxBatch;
        _lingerTicks = (long)(Math.Min(maxAge.TotalSeconds, Linger.TotalSeconds) * Stopwatch.Frequency);
        _maxQueued = maxQueued;
        _worker = new Thread(Run) { Name = "log-sequencer", IsBackground = true };
    }

    /// <summary>Raised on the worker after each sequenced batch with the next index to assign.</summary>
    public event Action<long>? Sequenced;

    public void Start() => _worker.Start();

    /// <summary>Queues an entry. Throws <see cref="PushbackException"/> when the queue is full and
    /// <see cref="LogStoppedException"/> after <see cref="Stop"/>.</summary>
    public Task<long> Add(ReadOnlyMemory<byte> entry)
    {
        var pending = new Pending(entry, Stopwatch.GetTimestamp());
        lock (_gate)
        {
            if (_stopping)
                throw new LogStoppedException();
            if (_pending.Count >= _maxQueued)
                throw new PushbackException($"{_pending.Count} entries are already waiting to be sequenced");
            _pending.Add(pending);
            if (_pending.Count == 1 || _pending.Count == _maxBatch)
                Monitor.Pulse(_gate);
        }
        return pending.Done.Task;
    }

    public int QueuedCount
    {
        get { lock (_gate) return _pending.Count; }
    }

    /// <summary>Refuses new entries, sequences every entry already queued, then ends the worker.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        if (_worker.IsAlive)
            _worker.Join();
    }

    private void Run()
    {
        while (TakeBatch() is { } batch)
        {
            try
            {
                long first = _sequence(batch.ConvertAll(p => p.Entry));
                for (int i = 0; i < batch.Count; i++)
                    batch[i].Done.SetResult(first + i);
                Sequenced?.Invoke(first + batch.Count);
            }
            catch (Exception e)
            {
                foreach (var pending in batch)
                    pending.Done.TrySetException(e);
            }
        }
    }

    /// <summary>Blocks until a batch is due; null once stopped and drained.</summary>
    private List<Pending>? TakeBatch()
    {
        lock (_gate)
        {
            while (true)
            {
                if (_pending.Count == 0)
                {
                    if (_stopping)
                        return null;
                    Monitor.Wait(_gate);
                    continue;
                }
                if (_pending.Count >= _maxBatch || _stopping)
                    break;
                long due = _pending[0].ArrivedAt + _lingerTicks - Stopwatch.GetTimestamp();
                if (due <= 0)
                    break;
                Monitor.Wait(_gate, TimeSpan.FromSeconds((double)due / Stopwatch.Frequency));
            }
            int take = Math.Min(_pending.Count, _maxBatch);
            var batch = _pending.GetRange(0, take);
            _pending.RemoveRange(0, take);
            return batch;
        }
    }

    private sealed record Pending(ReadOnlyMemory<byte> Entry, long ArrivedAt)
    {
        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
