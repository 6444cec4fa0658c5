using Microsoft.Data.Sqlite;
using RekorPosix.Log.Posix.Sqlite;

namespace RekorPosix.Log.Antispam;

/// <summary>One read connection to the index with its lookup statement prepared once. Not
/// thread-safe: <see cref="PersistentDedupIndex"/> lends each to one caller at a time.</summary>
internal sealed class DedupIndexReader : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _find;
    // Bound by value on every execution, so refilling it is enough.
    private readonly byte[] _hash = new byte[IdentityKey.Size];

    public DedupIndexReader(string path)
    {
        // ReadWrite, not ReadOnly: a WAL reader has to be able to write the shared-memory index.
        _connection = new SqliteConnection(SqliteIndexFile.ConnectionString(path, SqliteOpenMode.ReadWrite));
        try
        {
            _connection.Open();
            _find = _connection.CreateCommand();
            _find.CommandText = "SELECT log_index FROM identity WHERE hash = $hash";
            _find.Parameters.Add("$hash", SqliteType.Blob).Value = _hash;
            _find.Prepare();
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public long? Find(ReadOnlySpan<byte> identity)
    {
        identity.CopyTo(_hash);
        return _find.ExecuteScalar() is long index ? index : null;
    }

    public void Dispose()
    {
        _find.Dispose();
        _connection.Dispose();
    }
}
