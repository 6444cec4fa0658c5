using RekorPosix.Log;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Support;

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
                foreach (var full in TileMath.CompletedBy(bundle))
                    RemovePartials(full);
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
        var made = PublishedCheckpoint.MadeFor(note, head);
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
