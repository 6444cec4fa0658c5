using RekorPosix.Log;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http.ReadPath;

/// <summary>
/// An <see cref="ILogReader"/> whose answers a test sets: objects stored by address, the stored
/// checkpoint note, failures to throw and gates for reads to wait on. It records every read with
/// the method called and the token it was given.
/// </summary>
internal sealed class ScriptedLogReader : ILogReader
{
    public readonly record struct Read(bool Bundle, TileAddress Address, CancellationToken Cancel);

    private readonly Lock _lock = new();
    private readonly Dictionary<TileAddress, ReadOnlyMemory<byte>> _objects = [];
    private readonly List<Read> _reads = [];
    private byte[]? _checkpoint;
    private Exception? _failure;
    private Exception? _checkpointFailure;
    private TaskCompletionSource? _gate;
    private TaskCompletionSource? _checkpointGate;
    private int _checkpointReads;

    public void Store(TileAddress address, ReadOnlyMemory<byte> data)
    {
        lock (_lock)
            _objects[address] = data;
    }

    public void Remove(TileAddress address)
    {
        lock (_lock)
            _objects.Remove(address);
    }

    /// <summary>The note <see cref="ReadCheckpointAsync"/> returns; null: none stored.</summary>
    public byte[]? Checkpoint
    {
        set { lock (_lock) _checkpoint = value; }
    }

    /// <summary>When set, tile and bundle reads throw it (after their gate, if any).</summary>
    public Exception? Failure
    {
        set { lock (_lock) _failure = value; }
    }

    /// <summary>When set, checkpoint reads throw it (after their gate, if any).</summary>
    public Exception? CheckpointFailure
    {
        set { lock (_lock) _checkpointFailure = value; }
    }

    /// <summary>Blocks tile and bundle reads until released; returns the release.</summary>
    public TaskCompletionSource HoldReads()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
            _gate = gate;
        return gate;
    }

    /// <summary>Blocks checkpoint reads until released; returns the release.</summary>
    public TaskCompletionSource HoldCheckpointReads()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
            _checkpointGate = gate;
        return gate;
    }

    /// <summary>Reads no longer wait (those already waiting still do, on their own gate).</summary>
    public void OpenGates()
    {
        lock (_lock)
        {
            _gate = null;
            _checkpointGate = null;
        }
    }

    public IReadOnlyList<Read> Reads
    {
        get { lock (_lock) return _reads.ToList(); }
    }

    public int CheckpointReads => Volatile.Read(ref _checkpointReads);

    public async ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel)
    {
        Interlocked.Increment(ref _checkpointReads);
        TaskCompletionSource? gate;
        lock (_lock)
            gate = _checkpointGate;
        if (gate is not null)
            await gate.Task.WaitAsync(cancel);
        lock (_lock)
        {
            if (_checkpointFailure is { } failure)
                throw failure;
            return _checkpoint;
        }
    }

    public ValueTask<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address, CancellationToken cancel) =>
        ReadObjectAsync(bundle: false, address, cancel);

    public ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, CancellationToken cancel) =>
        ReadObjectAsync(bundle: true, address, cancel);

    public ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel) =>
        throw new NotSupportedException("the read path must never ask for the integrated size");

    private async ValueTask<ReadOnlyMemory<byte>> ReadObjectAsync(bool bundle, TileAddress address, CancellationToken cancel)
    {
        TaskCompletionSource? gate;
        lock (_lock)
        {
            _reads.Add(new Read(bundle, address, cancel));
            gate = _gate;
        }
        if (gate is not null)
            await gate.Task.WaitAsync(cancel);
        lock (_lock)
        {
            if (_failure is { } failure)
                throw failure;
            return _objects.TryGetValue(address, out var data)
                ? data
                : throw new FileNotFoundException($"{address.ToPath()} is not stored");
        }
    }
}
