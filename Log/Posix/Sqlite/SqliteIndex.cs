using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Following;

namespace RekorPosix.Log.Posix.Sqlite;

/// <summary>
/// An index file and its connections: reads are thread-safe and run in parallel, each on a pooled
/// read connection (WAL lets readers run beside the writer); writes come from one thread, the
/// follower. A file that cannot be used is moved aside with a warning and started anew: the
/// follower then rebuilds it from the entry bundles. The log never stops for an index.
/// </summary>
/// <typeparam name="TWriter">The index's write connection with its statements.</typeparam>
/// <typeparam name="TReader">One read connection with its statements.</typeparam>
internal sealed class SqliteIndex<TWriter, TReader> : IDisposable
    where TWriter : class, IDisposable
    where TReader : class, IDisposable
{
    /// <summary>Idle read connections kept open; more are opened under load and closed after.</summary>
    private const int MaxIdleReaders = 16;

    private readonly SqliteIndexFile _kind;
    private readonly Func<string, TWriter>? _openWriter;
    private readonly Func<string, TReader> _openReader;
    private readonly ILogger _logger;
    // Reads and commits share it; replacing or closing the file takes it exclusively, so no
    // connection is left on a file that was moved away.
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly ConcurrentStack<TReader> _idleReaders = new();
    private TWriter? _writer;
    private volatile bool _suspect;
    private bool _disposed;

    private SqliteIndex(string path, SqliteIndexFile kind, Func<string, TWriter>? openWriter, Func<string, TReader> openReader, ILogger logger)
    {
        Path = path;
        _kind = kind;
        _openWriter = openWriter;
        _openReader = openReader;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>True once a read met a damaged file; the follower then rebuilds it.</summary>
    public bool SuspectedDamaged => _suspect;

    /// <summary>Opens the index at <paramref name="path"/> (creating it and its directory), or moves a
    /// bad file aside and starts an empty one. Throws only when no index can be created at all
    /// (file system errors).</summary>
    public static SqliteIndex<TWriter, TReader> Open(string path, SqliteIndexFile kind, Func<string, TWriter> openWriter, Func<string, TReader> openReader,
        Func<TWriter, long> readNextIndex, ILogger logger)
    {
        SqliteRuntime.EnsureInitialised();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var index = new SqliteIndex<TWriter, TReader>(path, kind, openWriter, openReader, logger);
        try
        {
            index._writer = openWriter(path);
        }
        catch (Exception e) when (SqliteIndexFile.IsBadFile(e))
        {
            index.StartAnew(e.Message);
        }
        IndexEvents.Opened(logger, kind.Name, path, index.Write(readNextIndex));
        return index;
    }

    /// <summary>An existing index, for reading only (no writer, no rebuild): a frozen log's.
    /// Throws <see cref="FileNotFoundException"/> when there is no index file.</summary>
    public static SqliteIndex<TWriter, TReader> OpenExisting(string path, SqliteIndexFile kind, Func<string, TReader> openReader, ILogger logger)
    {
        SqliteRuntime.EnsureInitialised();
        if (!File.Exists(path))
            throw new FileNotFoundException($"there is no {kind.Name} index at {path}", path);
        return new SqliteIndex<TWriter, TReader>(path, kind, null, openReader, logger);
    }

    /// <summary>Runs <paramref name="read"/> on a pooled read connection. A damaged file marks the
    /// index suspect (the follower rebuilds it) and the error is thrown on.</summary>
    public T Read<T>(Func<TReader, T> read)
    {
        _gate.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_idleReaders.TryPop(out var reader))
                reader = _openReader(Path);
            T result;
            try
            {
                result = read(reader);
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
            return result;
        }
        catch (SqliteException e) when (SqliteIndexFile.IsBadFile(e))
        {
            _suspect = true;
            throw;
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>Runs <paramref name="write"/> on the write connection (the follower's thread only).</summary>
    public T Write<T>(Func<TWriter, T> write)
    {
        _gate.EnterReadLock();
        try
        {
            return write(Writer());
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

    private TWriter Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_openWriter is null)
            throw new InvalidOperationException($"the {_kind.Name} index {Path} is open for reading only");
        // Null only after a rebuild could not create the new file: try again. Only the follower
        // thread gets here, so the read lock is enough.
        return _writer ??= _openWriter(Path);
    }

    private void StartAnew(string reason)
    {
        _suspect = false;
        string aside = SqliteIndexFile.MoveAside(Path);
        IndexEvents.Rebuilding(_logger, _kind.Name, Path, reason, aside);
        _writer = _openWriter!(Path);
    }

    private void CloseConnections()
    {
        while (_idleReaders.TryPop(out var reader))
            reader.Dispose();
        _writer?.Dispose();
        _writer = null;
    }
}
