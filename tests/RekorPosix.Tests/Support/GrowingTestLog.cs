using RekorPosix.Log.Posix;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A log directory written by the POSIX driver with the tessera test key, grown and published a
/// step at a time (every partial tile and bundle of each published size stays: no GC runs).
/// </summary>
public sealed class GrowingTestLog : IDisposable
{
    private readonly TempDir _dir = new();

    public string Dir => _dir.Path;

    public string this[string relative] => _dir[relative];

    public long Size { get; private set; }

    /// <summary>Integrates the entries (durable, not yet published).</summary>
    public GrowingTestLog Append(IEnumerable<byte[]> entries)
    {
        var batch = entries.Select(e => (ReadOnlyMemory<byte>)e).ToList();
        var storage = new PosixStorage(Dir);
        try
        {
            storage.Open();
            storage.Integrate(batch);
            Size += batch.Count;
        }
        finally
        {
            storage.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return this;
    }

    /// <summary>Publishes a checkpoint of everything integrated.</summary>
    public GrowingTestLog Publish()
    {
        var storage = new PosixStorage(Dir);
        try
        {
            storage.Open();
            storage.PublishCheckpoint(TestLogKey.Signer(), TimeSpan.Zero, TimeSpan.Zero, DateTimeOffset.UtcNow, force: true);
        }
        finally
        {
            storage.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return this;
    }

    public byte[] Checkpoint => File.ReadAllBytes(_dir["checkpoint"]);

    public void Dispose() => _dir.Dispose();
}
