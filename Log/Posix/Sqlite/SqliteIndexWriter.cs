using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace RekorPosix.Log.Posix.Sqlite;

/// <summary>The one write connection to an index file: creates or checks the file on open, reads
/// the follower's next index, and commits a batch of (key, index) rows with it, its statements
/// prepared once. Not thread-safe.</summary>
internal sealed class SqliteIndexWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _readNext;
    private readonly SqliteCommand _writeNext;
    private readonly SqliteParameter _next;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _index;
    // Bound by value on every execution, so refilling it is enough.
    private readonly byte[] _key;

    private SqliteIndexWriter(SqliteConnection connection, SqliteIndexFile kind)
    {
        _connection = connection;
        _readNext = Prepare("SELECT next_index FROM follower WHERE id = 0");
        _writeNext = Prepare("UPDATE follower SET next_index = $next WHERE id = 0", ("$next", SqliteType.Integer));
        _next = _writeNext.Parameters["$next"];
        _insert = Prepare(kind.InsertRow, ("$key", SqliteType.Blob), ("$index", SqliteType.Integer));
        _key = new byte[kind.KeySize];
        _insert.Parameters["$key"].Value = _key;
        _index = _insert.Parameters["$index"];
    }

    /// <summary>Opens the index at <paramref name="path"/>, creating it if it is missing or empty.
    /// Throws <see cref="InvalidDataException"/> or a <see cref="SqliteException"/> for a file that
    /// is not a usable index of this <paramref name="kind"/> (<see cref="SqliteIndexFile.IsBadFile"/> tells which).</summary>
    public static SqliteIndexWriter Open(string path, SqliteIndexFile kind)
    {
        SqliteIndexFile.RemoveOrphanedJournals(path);
        var connection = new SqliteConnection(SqliteIndexFile.ConnectionString(path, SqliteOpenMode.ReadWriteCreate));
        try
        {
            connection.Open();
            // The first statement that reads the file: garbage fails here with SQLITE_NOTADB.
            string? mode = Scalar(connection, null, "PRAGMA journal_mode = WAL") as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new IOException($"{path} cannot be switched to WAL mode (journal mode stays '{mode}')");
            // Durable at checkpoints only: a commit lost in a crash is indexed again from the log.
            Execute(connection, null, "PRAGMA synchronous = NORMAL");
            EnsureSchema(connection, kind);
            return new SqliteIndexWriter(connection, kind);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public long ReadNextIndex() => (long)_readNext.ExecuteScalar()!;

    /// <summary>
    /// In one transaction: inserts the rows (each <paramref name="rowSize"/> bytes of
    /// <paramref name="rows"/>: the key first, then what <paramref name="indexOf"/> reads as its
    /// entry index) with INSERT OR IGNORE, so a row already present stays as it is, and moves the
    /// next index from <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/>.
    /// Does nothing when the stored next index is not <paramref name="first"/> (another process
    /// indexed meanwhile). Returns the stored next index afterwards.
    /// </summary>
    public long Commit(long first, int count, ReadOnlySpan<byte> rows, int rowSize, IndexOfRow indexOf)
    {
        if (rows.Length % rowSize != 0)
            throw new ArgumentException($"{rows.Length} bytes are not a whole number of {rowSize}-byte rows", nameof(rows));
        using var transaction = _connection.BeginTransaction(deferred: false);
        _readNext.Transaction = _writeNext.Transaction = _insert.Transaction = transaction;
        try
        {
            long stored = ReadNextIndex();
            if (stored != first)
                return stored;
            for (int i = 0; i < rows.Length / rowSize; i++)
            {
                var row = rows.Slice(i * rowSize, rowSize);
                row[.._key.Length].CopyTo(_key);
                _index.Value = indexOf(row, i);
                _insert.ExecuteNonQuery();
            }
            _next.Value = first + count;
            _writeNext.ExecuteNonQuery();
            transaction.Commit();
            return first + count;
        }
        finally
        {
            _readNext.Transaction = _writeNext.Transaction = _insert.Transaction = null;
        }
    }

    /// <summary>The entry index of row <paramref name="number"/> of a batch.</summary>
    public delegate long IndexOfRow(ReadOnlySpan<byte> row, int number);

    public void Dispose()
    {
        _insert.Dispose();
        _readNext.Dispose();
        _writeNext.Dispose();
        _connection.Dispose();
    }

    /// <summary>Creates the tables in a new file, or checks that an existing file is an index of
    /// this kind with its follower row. Inside one write transaction, so two processes opening
    /// a new file at once do not both create it.</summary>
    private static void EnsureSchema(SqliteConnection connection, SqliteIndexFile kind)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        long application = (long)Scalar(connection, transaction, "PRAGMA application_id")!;
        long version = (long)Scalar(connection, transaction, "PRAGMA user_version")!;
        if (application == 0 && version == 0)
        {
            if ((long)Scalar(connection, transaction, "SELECT count(*) FROM sqlite_master")! != 0)
                throw new InvalidDataException($"it holds tables but is not an {kind.Name} index");
            Execute(connection, transaction, kind.CreateSchema);
        }
        else if (application != kind.ApplicationId)
        {
            throw new InvalidDataException($"its application_id is 0x{application:x8}, not an {kind.Name} index's");
        }
        else if (version != kind.SchemaVersion)
        {
            throw new InvalidDataException($"its schema version is {version}; this build reads {kind.SchemaVersion}");
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
