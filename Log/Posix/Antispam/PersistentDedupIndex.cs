using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Antispam;

/// <summary>
/// The persistent antispam index (<c>.state/antispam.db</c>): identity → first log index, plus the
/// follower's next index. Lookups are thread-safe and run in parallel, each on a pooled read
/// connection (WAL lets readers run beside the writer); writes come from one thread, the follower.
/// A file that cannot be used is moved aside with a warning and started anew: the follower then
/// rebuilds it from the entry bundles. The log never stops for the index.
/// </summary>
internal sealed class PersistentDedupIndex : IDedupIndex
{
    /// <summary>Idle read connections kept open; more are opened under load and closed after.</summary>
    private const int MaxIdleReaders = 16;

    private readonly ILogger _logger;
    // Lookups and commits share it; replacing or closing the file takes it exclusively, so no
    // connection is left on a file that was moved away.
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly ConcurrentStack<DedupIndexReader> _idleReaders = new();
    private DedupIndexWriter? _writer;
    private volatile bool _suspect;
    private bool _disposed;

    private PersistentDedupIndex(string path, ILogger logger)
    {
        Path = path;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>True once a lookup met a damaged file; the follower then rebuilds it.</summary>
    public bool SuspectedDamaged => _suspect;

    /// <summary>Opens the index at <paramref name="path"/> (creating it and its directory), or moves a
    /// bad file aside and starts an empty one. Throws only when no index can be created at all
    /// (file system errors).</summary>
    public static PersistentDedupIndex Open(string path, ILogger logger)
    {
        SqliteRuntime.EnsureInitialised();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var index = new PersistentDedupIndex(path, logger);
        try
        {
            index._writer = DedupIndexWriter.Open(path);
        }
        catch (Exception e) when (DedupIndexFile.IsBadFile(e))
        {
            index.StartAnew(e.Message);
        }
        AntispamEvents.Opened(logger, path, index.ReadNextIndex());
        return index;
    }

    /// <summary>SQLite in a local file answers at once: <see cref="Find"/> on the caller's thread.</summary>
    public ValueTask<long?> FindAsync(ReadOnlyMemory<byte> identity) => new(Find(identity.Span));

    /// <summary>The first index at which an entry with this identity was indexed, or null. A failed
    /// lookup is logged and answers null: dedup is best effort and must not fail an add.</summary>
    public long? Find(ReadOnlySpan<byte> identity)
    {
        if (identity.Length != IdentityKey.Size)
            throw new ArgumentException($"an identity is {IdentityKey.Size} bytes, not {identity.Length}", nameof(identity));
        _gate.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_idleReaders.TryPop(out var reader))
                reader = new DedupIndexReader(Path);
            long? found;
            try
            {
                found = reader.Find(identity);
            }
            catch
            {
                reader.Dispose();
                throw;
            }
            if (_idleReaders.Count < MaxIdleReaders)
                _idleReaders.Push(reader);
            else
                reader.Dispose();
            return found;
        }
        catch (SqliteException e)
        {
            if (DedupIndexFile.IsBadFile(e))
                _suspect = true;
            AntispamEvents.LookupFailed(_logger, e);
            return null;
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    public long ReadNextIndex()
    {
        _gate.EnterReadLock();
        try
        {
            return Writer().ReadNextIndex();
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>See <see cref="DedupIndexWriter.Commit"/>. Called by the follower only.</summary>
    public long Commit(long first, ReadOnlySpan<byte> identities)
    {
        _gate.EnterReadLock();
        try
        {
            return Writer().Commit(first, identities);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>Moves the file aside and starts an empty index (next index 0), logging why.</summary>
    public void Rebuild(string reason)
    {
        _gate.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CloseConnections();
            StartAnew(reason);
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    public void Dispose()
    {
        _gate.EnterWriteLock();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            CloseConnections();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    public bool IsDamage(Exception error) => DedupIndexFile.IsBadFile(error);

    /// <summary>The posix flavour's index: a file, opened (or started anew) when the follower starts.</summary>
    public static Func<ILogger, IDedupIndex> At(string path) => logger =>
    {
        try
        {
            return Open(path, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
        {
            throw new DedupIndexUnavailableException($"no dedup index can be created at {path}: {e.Message}", e);
        }
    };

    private DedupIndexWriter Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Null only after a rebuild could not create the new file: try again. Only the follower
        // thread gets here, so the read lock is enough.
        return _writer ??= DedupIndexWriter.Open(Path);
    }

    private void StartAnew(string reason)
    {
        _suspect = false;
        string aside = DedupIndexFile.MoveAside(Path);
        AntispamEvents.Rebuilding(_logger, Path, reason, aside);
        _writer = DedupIndexWriter.Open(Path);
    }

    private void CloseConnections()
    {
        while (_idleReaders.TryPop(out var reader))
            reader.Dispose();
        _writer?.Dispose();
        _writer = null;
    }
}
