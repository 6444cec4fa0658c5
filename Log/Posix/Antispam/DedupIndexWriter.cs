using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace RekorPosix.Log.Antispam;

/// <summary>The one write connection to the index: creates or checks the file on open, then
/// commits the follower's batches with its statements prepared once. Not thread-safe.</summary>
internal sealed class DedupIndexWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _readNext;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _writeNext;
    private readonly SqliteParameter _index;
    private readonly SqliteParameter _next;
    private readonly byte[] _hash = new byte[IdentityKey.Size];

    private DedupIndexWriter(SqliteConnection connection)
    {
        _connection = connection;
        _readNext = Prepare("SELECT next_index FROM follower WHERE id = 0");
        _insert = Prepare("INSERT OR IGNORE INTO identity (hash, log_index) VALUES ($hash, $index)",
            ("$hash", SqliteType.Blob), ("$index", SqliteType.Integer));
        _insert.Parameters["$hash"].Value = _hash;
        _index = _insert.Parameters["$index"];
        _writeNext = Prepare("UPDATE follower SET next_index = $next WHERE id = 0", ("$next", SqliteType.Integer));
        _next = _writeNext.Parameters["$next"];
    }

    /// <summary>Opens the index at <paramref name="path"/>, creating it if it is missing or empty.
    /// Throws <see cref="InvalidDataException"/> or a <see cref="SqliteException"/> for a file that
    /// is not a usable index (<see cref="DedupIndexFile.IsBadFile"/> tells which).</summary>
    public static DedupIndexWriter Open(string path)
    {
        DedupIndexFile.RemoveOrphanedJournals(path);
        var connection = new SqliteConnection(DedupIndexFile.ConnectionString(path, SqliteOpenMode.ReadWriteCreate));
        try
        {
            connection.Open();
            // The first statement that reads the file: garbage fails here with SQLITE_NOTADB.
            string? mode = Scalar(connection, null, "PRAGMA journal_mode = WAL") as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new IOException($"{path} cannot be switched to WAL mode (journal mode stays '{mode}')");
            // Durable at checkpoints only: a commit lost in a crash is indexed again from the log.
            Execute(connection, null, "PRAGMA synchronous = NORMAL");
            EnsureSchema(connection);
            return new DedupIndexWriter(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public long ReadNextIndex() => (long)_readNext.ExecuteScalar()!;

    /// <summary>
    /// Records the identities (<see cref="IdentityKey.Size"/> bytes each) of the entries at
    /// <paramref name="first"/>, <paramref name="first"/> + 1, … and moves the next index past them,
    /// in one transaction. An identity already present keeps its index: the first index wins.
    /// Does nothing when the stored next index is not <paramref name="first"/> (another process
    /// indexed meanwhile). Returns the stored next index afterwards.
    /// </summary>
    public long Commit(long first, ReadOnlySpan<byte> identities)
    {
        if (identities.Length % IdentityKey.Size != 0)
            throw new ArgumentException($"{identities.Length} bytes are not a whole number of identities", nameof(identities));
        int count = identities.Length / IdentityKey.Size;
        using var transaction = _connection.BeginTransaction(deferred: false);
        _readNext.Transaction = _insert.Transaction = _writeNext.Transaction = transaction;
        try
        {
            long stored = ReadNextIndex();
            if (stored != first)
                return stored;
            for (int i = 0; i < count; i++)
            {
                identities.Slice(i * IdentityKey.Size, IdentityKey.Size).CopyTo(_hash);
                _index.Value = first + i;
                _insert.ExecuteNonQuery();
            }
            _next.Value = first + count;
            _writeNext.ExecuteNonQuery();
            transaction.Commit();
            return first + count;
        }
        finally
        {
            _readNext.Transaction = _insert.Transaction = _writeNext.Transaction = null;
        }
    }

    public void Dispose()
    {
        _readNext.Dispose();
        _insert.Dispose();
        _writeNext.Dispose();
        _connection.Dispose();
    }

    /// <summary>Creates the tables in a new file, or checks that an existing file is an index of
    /// this schema with its follower row. Inside one write transaction, so two processes opening
    /// a new file at once do not both create it.</summary>
    private static void EnsureSchema(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        long application = (long)Scalar(connection, transaction, "PRAGMA application_id")!;
        long version = (long)Scalar(connection, transaction, "PRAGMA user_version")!;
        if (application == 0 && version == 0)
        {
            if ((long)Scalar(connection, transaction, "SELECT count(*) FROM sqlite_master")! != 0)
                throw new InvalidDataException("it holds tables but is not an antispam index");
            Execute(connection, transaction, DedupIndexFile.CreateSchema);
        }
        else if (application != DedupIndexFile.ApplicationId)
        {
            throw new InvalidDataException($"its application_id is 0x{application:x8}, not an antispam index's");
        }
        else if (version != DedupIndexFile.SchemaVersion)
        {
            throw new InvalidDataException($"its schema version is {version}; this build reads {DedupIndexFile.SchemaVersion}");
        }
        object? next;
        try
        {
            next = Scalar(connection, transaction, "SELECT next_index FROM follower WHERE id = 0");
        }
        catch (SqliteException e) when (e.SqliteErrorCode == raw.SQLITE_ERROR)
        {
            throw new InvalidDataException($"its follower table cannot be read: {e.Message}");
        }
        if (next is not long n || n < 0)
            throw new InvalidDataException($"its follower row is missing or invalid ({next ?? "none"})");
        transaction.Commit();
    }

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
            command.Parameters.Add(name, type);
        command.Prepare();
        return command;
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
