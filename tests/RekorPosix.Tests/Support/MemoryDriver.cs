using RekorPosix.Log;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Support;

/// <summary>A crash point of <see cref="MemoryStore"/> fired: the step stopped where a process
/// would have died, with whatever it had stored up to there left in the store.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);

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
                if (_objects.TryGetValue(path, out var old) && !old.AsSpan().SequenceEqual(write.Data))
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

/// <summary>
/// An <see cref="ILogDriver"/> over a <see cref="MemoryStore"/>, for tests only, whose sequencing
/// is separate from integration as in tessera's cloud drivers: <see cref="SequenceAsync"/> only
/// stores the batch; <see cref="IntegrateAsync"/> builds bundles and tiles for everything
/// sequenced and not integrated (<see cref="BatchTiles.Build"/>), stores them, and then moves the
/// integrated head. The instance itself holds nothing durable, only the right edge it last committed.
/// </summary>
public sealed class MemoryDriver(MemoryStore store) : ILogDriver
{
    private readonly MemoryReader _reader = new(store);
    private TileTreeBuilder? _edge;
    private bool _opened;
    private volatile bool _crashed;

    public MemoryStore Store => store;

    public ILogReader Reader => _reader;

    /// <summary>The process died: every later call on this instance fails, the store stays.</summary>
    public void Crash() => _crashed = true;

    public ValueTask DisposeAsync()
    {
        _crashed = true;
        return ValueTask.CompletedTask;
    }

    public async Task<TreeHead> OpenAsync(CancellationToken cancel)
    {
        ThrowIfCrashed();
        await store.IntegrationLock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var head = store.Integrated;
            var edge = await StoredTreeCheck.CheckAsync(_reader, head, cancel).ConfigureAwait(false);
            ThrowIfFrozen("it takes no more entries");
            _edge = edge;
            _opened = true;
            return head;
        }
        finally
        {
            store.IntegrationLock.Release();
        }
    }

    public async Task<long> SequenceAsync(IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancel)
    {
        ThrowIfNotOpen();
        ArgumentOutOfRangeException.ThrowIfZero(entries.Count);
        var copies = new byte[entries.Count][];
        for (int i = 0; i < copies.Length; i++)
        {
            if (entries[i].Length > EntryBundle.MaxEntrySize)
                throw new EntryTooLargeException(entries[i].Length);
            copies[i] = entries[i].ToArray();
        }
        await store.SequenceLock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            ThrowIfFrozen("refusing to add entries");
            long first = store.AppendBatch(copies);
            if (store.FireAfterSequencing())
                throw new SimulatedCrashException($"crash after sequencing {copies.Length} entries at {first}");
            return first;
        }
        finally
        {
            store.SequenceLock.Release();
        }
    }

    public async Task<TreeHead> IntegrateAsync(CancellationToken cancel)
    {
        ThrowIfNotOpen();
        await store.IntegrationLock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            return await IntegrateLockedAsync(cancel).ConfigureAwait(false);
        }
        finally
        {
            store.IntegrationLock.Release();
        }
    }

    /// <summary>Integrates what is pending; the caller holds the integration lock.</summary>
    private async Task<TreeHead> IntegrateLockedAsync(CancellationToken cancel)
    {
        var (head, pending) = store.ReadPending();
        if (pending.Count == 0)
            return head;
        var edge = _edge is { } kept && kept.Size == head.Size
            ? kept
            : await StoredTreeCheck.ResumeEdgeAsync(_reader, head, cancel).ConfigureAwait(false);
        _edge = null; // kept again only once the head moved
        var prefix = TileMath.PartialEntryBundle(head.Size) is { } partial
            ? await _reader.ReadEntryBundleAsync(partial, cancel).ConfigureAwait(false)
            : ReadOnlyMemory<byte>.Empty;
        var entries = pending.ConvertAll(e => (ReadOnlyMemory<byte>)e);
        var writes = BatchTiles.Build(edge, prefix, entries);
        store.Put(writes);
        if (store.FireIntegrationAfterWritingTiles())
            throw new SimulatedCrashException($"crash after writing {writes.Count} tiles for sizes {head.Size}..{edge.Size}");
        var integrated = new TreeHead(edge.Size, edge.Root());
        store.CommitIntegration(head, integrated);
        _edge = edge;
        return integrated;
    }

    public async Task<Publication> PublishAsync(PublicationPace pace, CheckpointMaker make, CancellationToken cancel)
    {
        ThrowIfNotOpen();
        var head = store.Integrated;
        await store.PublishLock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var current = Current();
            if (current is not null)
            {
                var body = current.Body();
                if (FrozenCheckpoint.IsFrozen(body))
                    throw new LogFrozenException($"the log is frozen at size {current.Size}: its checkpoint is final", current);
                var publishedAt = store.PublishedAt;
                var age = pace.Now - publishedAt;
                if (!pace.Force && age < pace.Interval)
                    return new Publication(false, current, publishedAt + pace.Interval);
                if (current.Size > head.Size)
                    return new Publication(false, current, pace.Now + pace.Interval);
                if (current.Size == head.Size && !body.RootHash.AsSpan().SequenceEqual(head.Root))
                    throw new LogStateException($"the checkpoint and the integrated head disagree on the root at size {head.Size}");
                if (!pace.Force && current.Size == head.Size && age < pace.RepublishInterval)
                    return new Publication(false, current, pace.Now + pace.Interval);
            }
            var written = await MakeAndStoreAsync(head, current, make, cancel).ConfigureAwait(false);
            return new Publication(true, written, pace.Now + pace.Interval);
        }
        finally
        {
            store.PublishLock.Release();
        }
    }

    public async Task<bool> CollectGarbageAsync(long publishedSize, CancellationToken cancel)
    {
        ThrowIfNotOpen();
        await store.GcLock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            long bundle = store.GcFromSize / TileMath.TileWidth;
            int done = 0;
            while ((bundle + 1) * TileMath.TileWidth <= publishedSize && done < store.GcBundlesPerCall)
            {
                RemovePartials(new TileAddress(0, bundle, TileMath.TileWidth, IsEntries: true));
                // The level-0 tile of this bundle, and each parent it completed as its last child.
                long index = bundle;
                for (int level = 0; ; level++)
                {
                    RemovePartials(new TileAddress(level, index, TileMath.TileWidth));
                    if (index % TileMath.TileWidth != TileMath.TileWidth - 1)
                        break;
                    index /= TileMath.TileWidth;
                }
                bundle++;
                done++;
            }
            if (bundle * TileMath.TileWidth > store.GcFromSize)
                store.SetGcFromSize(bundle * TileMath.TileWidth);
            return done == store.GcBundlesPerCall;
        }
        finally
        {
            store.GcLock.Release();
        }
    }

    public async Task<FreezeOutcome?> TryFreezeAsync(CheckpointMaker make, CancellationToken cancel)
    {
        ThrowIfCrashed();
        if (!await store.IntegrationLock.WaitAsync(TimeSpan.Zero, cancel).ConfigureAwait(false))
            return null;
        try
        {
            // No batch may land between the last integration and the final checkpoint.
            await store.SequenceLock.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                await StoredTreeCheck.CheckAsync(_reader, store.Integrated, cancel).ConfigureAwait(false);
                _edge = null;
                await store.PublishLock.WaitAsync(cancel).ConfigureAwait(false);
                try
                {
                    var current = Current();
                    if (current is not null && FrozenCheckpoint.IsFrozen(current.Body()))
                        return new FreezeOutcome(false, current);
                    // The final checkpoint covers every entry ever sequenced.
                    var head = await IntegrateLockedAsync(cancel).ConfigureAwait(false);
                    return new FreezeOutcome(true, await MakeAndStoreAsync(head, current, make, cancel).ConfigureAwait(false));
                }
                finally
                {
                    store.PublishLock.Release();
                }
            }
            finally
            {
                store.SequenceLock.Release();
            }
        }
        finally
        {
            store.IntegrationLock.Release();
        }
    }

    /// <summary>Makes the checkpoint for <paramref name="head"/> and stores it; the caller holds the
    /// publication lock. A note for another tree is refused, and nothing is stored.</summary>
    private async Task<PublishedCheckpoint> MakeAndStoreAsync(TreeHead head, PublishedCheckpoint? current, CheckpointMaker make, CancellationToken cancel)
    {
        byte[] note = await make(head, current, cancel).ConfigureAwait(false);
        var made = PublishedCheckpoint.FromNote(note);
        if (made.Size != head.Size || !made.Body().RootHash.AsSpan().SequenceEqual(head.Root))
            throw new InvalidOperationException($"the checkpoint made for size {head.Size} is for size {made.Size} or another root");
        store.StoreCheckpoint(note);
        return made;
    }

    private PublishedCheckpoint? Current() => store.Checkpoint is { } note ? PublishedCheckpoint.FromNote(note) : null;

    private void RemovePartials(TileAddress full)
    {
        for (int width = 1; width < TileMath.TileWidth; width++)
            store.Remove((full with { Width = width }).ToPath());
    }

    private void ThrowIfFrozen(string refused)
    {
        if (Current() is { } current && FrozenCheckpoint.IsFrozen(current.Body()))
            throw new LogFrozenException($"the log is frozen at size {current.Size}: {refused}", current);
    }

    private void ThrowIfCrashed() => ObjectDisposedException.ThrowIf(_crashed, this);

    private void ThrowIfNotOpen()
    {
        ThrowIfCrashed();
        if (!_opened)
            throw new InvalidOperationException("OpenAsync must be called first");
    }

    /// <summary>Reads the store as a bucket is read: a missing partial is cut from its full tile.</summary>
    private sealed class MemoryReader(MemoryStore store) : ILogReader
    {
        public ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel) =>
            cancel.IsCancellationRequested ? ValueTask.FromCanceled<byte[]?>(cancel) : ValueTask.FromResult(store.Checkpoint);

        public ValueTask<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address, CancellationToken cancel) =>
            Read(address, HashTile.Trim, cancel);

        public ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, CancellationToken cancel) =>
            Read(address, EntryBundle.Trim, cancel);

        public ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel) =>
            cancel.IsCancellationRequested ? ValueTask.FromCanceled<long>(cancel) : ValueTask.FromResult(store.Integrated.Size);

        private ValueTask<ReadOnlyMemory<byte>> Read(TileAddress address, Func<ReadOnlyMemory<byte>, int, ReadOnlyMemory<byte>> trim, CancellationToken cancel)
        {
            if (cancel.IsCancellationRequested)
                return ValueTask.FromCanceled<ReadOnlyMemory<byte>>(cancel);
            var data = store.Get(address.ToPath());
            if (data is null && !address.IsFull)
                data = store.Get((address with { Width = TileMath.TileWidth }).ToPath());
            if (data is null)
                return ValueTask.FromException<ReadOnlyMemory<byte>>(new FileNotFoundException($"{address.ToPath()} is missing (and so is its full tile)"));
            try
            {
                return ValueTask.FromResult(trim(data, address.Width));
            }
            catch (FormatException e)
            {
                return ValueTask.FromException<ReadOnlyMemory<byte>>(new LogStateException($"{address.ToPath()}: {e.Message}", e));
            }
        }
    }
}
