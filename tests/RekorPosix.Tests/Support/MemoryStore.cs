using RekorPosix.Log;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Support;

/// <summary>
/// What a cloud driver keeps in its database and bucket, in memory, outliving any
/// <see cref="MemoryDriver"/>: the sequenced batches not integrated yet, the integrated tree head,
/// tiles and bundles by path, the checkpoint with the time it was published (tessera's
/// PubCoord.publishedAt, the shared pace), and the garbage collector's progress. Its locks are the
/// cross-process ones: every driver over the same store shares them. A test "crashes" a driver by
/// dropping it (or making a step throw through a hook) and "restarts" with a new one over the store.
/// </summary>
public sealed class MemoryStore
{
    private readonly object _gate = new();
    // Sequenced and not yet integrated, by the index of their first entry (tessera's Seq table).
    private readonly SortedList<long, byte[][]> _batches = [];
    private readonly Dictionary<string, byte[]> _objects = new(StringComparer.Ordinal);
    private long _nextIndex;
    private TreeHead _integrated = TreeHead.Empty;
    private byte[]? _checkpoint;
    private DateTimeOffset _publishedAt;
    private long _gcFromSize;
    private bool _failAfterSequencing;
    private bool _failIntegrationAfterWritingTiles;
    private int _crashesFired;

    public MemoryStore(TimeProvider? clock = null)
    {
        Clock = clock ?? TimeProvider.System;
    }

    /// <summary>The store's own clock, as a database stamps a row: it dates each checkpoint.</summary>
    public TimeProvider Clock { get; }

    /// <summary>Bundles whose partials one garbage collection removes at most.</summary>
    public int GcBundlesPerCall { get; init; } = 100;

    /// <summary>Entries that may be sequenced and not integrated before sequencing pushes back.</summary>
    public long MaxPendingEntries { get; init; } = long.MaxValue;

    // Cross-process locks (flock on POSIX, a row lock or lease in a database).
    internal SemaphoreSlim SequenceLock { get; } = new(1, 1);
    internal SemaphoreSlim IntegrationLock { get; } = new(1, 1);
    internal SemaphoreSlim PublishLock { get; } = new(1, 1);
    internal SemaphoreSlim GcLock { get; } = new(1, 1);

    /// <summary>One shot: the next sequencing stores its batch durably, then throws
    /// <see cref="SimulatedCrashException"/> before it answers (a crash between commit and reply).</summary>
    public bool FailAfterSequencing
    {
        get { lock (_gate) return _failAfterSequencing; }
        set { lock (_gate) _failAfterSequencing = value; }
    }

    /// <summary>One shot: the next integration writes all its tiles and bundles, then throws
    /// <see cref="SimulatedCrashException"/> without moving the integrated head.</summary>
    public bool FailIntegrationAfterWritingTiles
    {
        get { lock (_gate) return _failIntegrationAfterWritingTiles; }
        set { lock (_gate) _failIntegrationAfterWritingTiles = value; }
    }

    /// <summary>How many crash points have fired.</summary>
    public int CrashesFired
    {
        get { lock (_gate) return _crashesFired; }
    }

    /// <summary>Tile and bundle writes so far, a rewrite of identical bytes included.</summary>
    public int ObjectWrites { get; private set; }

    public TreeHead Integrated
    {
        get { lock (_gate) return _integrated; }
    }

    /// <summary>The next index sequencing assigns.</summary>
    public long NextIndex
    {
        get { lock (_gate) return _nextIndex; }
    }

    public long GcFromSize
    {
        get { lock (_gate) return _gcFromSize; }
    }

    /// <summary>When the stored checkpoint was written (by the store's clock).</summary>
    public DateTimeOffset PublishedAt
    {
        get { lock (_gate) return _publishedAt; }
    }

    /// <summary>Sequenced entries not integrated yet.</summary>
    public long PendingEntries
    {
        get { lock (_gate) return _nextIndex - _integrated.Size; }
    }

    /// <summary>Holds the integration lock as another writer would, until disposed.</summary>
    public IDisposable HoldIntegrationLock()
    {
        if (!IntegrationLock.Wait(HangGuard.Timeout))
            throw new TimeoutException("hang guard: the integration lock was never free");
        return new Release(IntegrationLock);
    }

    /// <summary>The object stored at exactly this path (no fallback), or null.</summary>
    public byte[]? Get(string path)
    {
        lock (_gate)
            return _objects.TryGetValue(path, out var data) ? data : null;
    }

    public bool Holds(string path) => Get(path) is not null;

    /// <summary>Replaces an object as someone outside the driver would (damage, for tests).</summary>
    public void Overwrite(string path, byte[] data)
    {
        lock (_gate)
            _objects[path] = data.ToArray();
    }

    public IReadOnlyList<string> Paths()
    {
        lock (_gate)
            return [.. _objects.Keys.Order(StringComparer.Ordinal)];
    }

    internal byte[]? Checkpoint
    {
        get { lock (_gate) return _checkpoint; }
    }

    /// <summary>Stores a batch under the sequence lock (the caller holds it) and returns its first index.</summary>
    internal long AppendBatch(byte[][] entries)
    {
        lock (_gate)
        {
            if (_nextIndex - _integrated.Size + entries.Length > MaxPendingEntries)
                throw new PushbackException($"{_nextIndex - _integrated.Size} entries are waiting for integration");
            long first = _nextIndex;
            _batches.Add(first, entries);
            _nextIndex += entries.Length;
            return first;
        }
    }

    /// <summary>The integrated head and every batch sequenced after it, in order.</summary>
    internal (TreeHead Head, List<byte[]> Pending) ReadPending()
    {
        lock (_gate)
        {
            var pending = new List<byte[]>();
            long expected = _integrated.Size;
            foreach (var (first, entries) in _batches)
            {
                if (first < expected)
                    throw new InvalidOperationException($"batch at {first} overlaps the integrated tree at {expected}");
                if (first > expected)
                    throw new LogStateException($"sequenced batches have a gap at {expected} (the next starts at {first})");
                pending.AddRange(entries);
                expected += entries.Length;
            }
            return (_integrated, pending);
        }
    }

    /// <summary>
    /// Stores tiles and bundles. A stored object never changes: a path names a width, and the
    /// content at that width follows from durable entries, so a rewrite after a crash must bring
    /// the very same bytes; different ones are a bug that would rewrite history.
    /// </summary>
    internal void Put(IReadOnlyList<TileWrite> writes)
    {
        lock (_gate)
        {
            foreach (var write in writes)
            {
                string path = write.Address.ToPath();
                if (_objects.TryGetValue(path, out var old) && !old.AsSpan().SequenceEqual(write.Data.Span))
                    throw new InvalidOperationException($"{path} is stored already with other bytes");
            }
            foreach (var write in writes)
            {
                _objects[write.Address.ToPath()] = write.Data.ToArray();
                ObjectWrites++;
            }
        }
    }

    /// <summary>Moves the integrated head (the commit point) and drops the batches it covers.</summary>
    internal void CommitIntegration(TreeHead from, TreeHead to)
    {
        lock (_gate)
        {
            if (!_integrated.SameAs(from))
                throw new InvalidOperationException($"the integrated head moved from size {from.Size} to {_integrated.Size} under the integration lock");
            _integrated = to;
            while (_batches.Count > 0 && _batches.Keys[0] < to.Size)
                _batches.RemoveAt(0);
        }
    }

    internal void StoreCheckpoint(byte[] note)
    {
        lock (_gate)
        {
            _checkpoint = note.ToArray();
            _publishedAt = Clock.GetUtcNow();
        }
    }

    internal void Remove(string path)
    {
        lock (_gate)
            _objects.Remove(path);
    }

    internal void SetGcFromSize(long size)
    {
        lock (_gate)
            _gcFromSize = size;
    }

    /// <summary>True (once) when the armed crash point fires.</summary>
    internal bool Fire(ref bool armed)
    {
        lock (_gate)
        {
            if (!armed)
                return false;
            armed = false;
            _crashesFired++;
            return true;
        }
    }

    internal bool FireAfterSequencing() => Fire(ref _failAfterSequencing);

    internal bool FireIntegrationAfterWritingTiles() => Fire(ref _failIntegrationAfterWritingTiles);

    private sealed class Release(SemaphoreSlim held) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                held.Release();
        }
    }
}
