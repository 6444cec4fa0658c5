using RekorPosix.Log;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A log held in memory for the follower to tail. It answers entry bundles the way the POSIX
/// reader does: a partial bundle exists only at the sizes the log actually had (one per append),
/// a full one once 256 entries are there, and a partial that is not there is cut from the full
/// bundle. It records what was asked, can pretend to be larger than it is, and can be made to
/// fail or block its reads.
/// </summary>
public sealed class MemoryLogReader : ILogReader
{
    private readonly List<byte[]> _entries = [];
    private readonly List<TileAddress> _requests = [];
    // The sizes the log had after each append: where partial bundles were written.
    private readonly HashSet<long> _sizes = [0];
    private long? _claimedSize;
    private int _sizeReads;

    public MemoryLogReader(IEnumerable<byte[]>? entries = null)
    {
        if (entries is not null)
            _entries.AddRange(entries);
        _sizes.Add(_entries.Count);
    }

    /// <summary>When set, every bundle read throws this.</summary>
    public Exception? FailReads { get; set; }

    /// <summary>When set, bundle reads wait until it is released.</summary>
    public ManualResetEventSlim? ReadGate { get; set; }

    public int FailedReads { get; private set; }

    public IReadOnlyList<TileAddress> Requests
    {
        get { lock (_entries) return _requests.ToList(); }
    }

    public void Append(params byte[][] entries)
    {
        lock (_entries)
        {
            _entries.AddRange(entries);
            _sizes.Add(_entries.Count);
        }
    }

    /// <summary>Makes <see cref="IntegratedSize"/> say <paramref name="size"/> whatever is stored.</summary>
    public void Claim(long? size)
    {
        lock (_entries)
            _claimedSize = size;
    }

    public long IntegratedSize
    {
        get
        {
            lock (_entries)
            {
                _sizeReads++;
                return _claimedSize ?? _entries.Count;
            }
        }
    }

    /// <summary>How often <see cref="IntegratedSize"/> was read: the follower reads it once per round,
    /// so two more reads mean a whole round has passed.</summary>
    public int SizeReads
    {
        get { lock (_entries) return _sizeReads; }
    }

    public ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel) => ValueTask.FromResult<byte[]?>(null);

    public ValueTask<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address, CancellationToken cancel) => throw new NotSupportedException();

    public ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel) => ValueTask.FromResult(IntegratedSize);

    public ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, CancellationToken cancel)
    {
        try
        {
            return ValueTask.FromResult(ReadEntryBundle(address));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<ReadOnlyMemory<byte>>(e);
        }
    }

    private ReadOnlyMemory<byte> ReadEntryBundle(TileAddress address)
    {
        Assert.True(address.IsEntries);
        ReadGate?.Wait(TimeSpan.FromSeconds(30));
        lock (_entries)
        {
            _requests.Add(address);
            if (FailReads is { } failure)
            {
                FailedReads++;
                throw failure;
            }
            long start = address.Index * TileMath.TileWidth;
            bool written = _sizes.Contains(start + address.Width) || start + TileMath.TileWidth <= _entries.Count;
            if (!written || start + address.Width > _entries.Count)
                throw new FileNotFoundException($"{address.ToPath()} was never written (and neither was its full bundle)");
            return EntryBundle.Encode(_entries.Skip((int)start).Take(address.Width).Select(e => (ReadOnlyMemory<byte>)e));
        }
    }
}
