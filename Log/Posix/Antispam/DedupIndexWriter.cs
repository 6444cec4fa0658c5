using Microsoft.Data.Sqlite;
using RekorPosix.Log.Posix.Sqlite;

namespace RekorPosix.Log.Antispam;

/// <summary>The dedup index's write connection: its insert prepared once on the index file's writer. Not thread-safe.</summary>
internal sealed class DedupIndexWriter : IDisposable
{
    private readonly SqliteIndexWriter _writer;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _index;
    private readonly byte[] _hash = new byte[IdentityKey.Size];

    private DedupIndexWriter(SqliteIndexWriter writer)
    {
        _writer = writer;
        _insert = writer.Prepare("INSERT OR IGNORE INTO identity (hash, log_index) VALUES ($hash, $index)",
            ("$hash", SqliteType.Blob), ("$index", SqliteType.Integer));
        _insert.Parameters["$hash"].Value = _hash;
        _index = _insert.Parameters["$index"];
    }

    /// <summary>See <see cref="SqliteIndexWriter.Open"/>.</summary>
    public static DedupIndexWriter Open(string path)
    {
        var writer = SqliteIndexWriter.Open(path, DedupIndexFile.Kind);
        try
        {
            return new DedupIndexWriter(writer);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    public long ReadNextIndex() => _writer.ReadNextIndex();

    /// <summary>
    /// Records the identities (<see cref="IdentityKey.Size"/> bytes each) of the entries at
    /// <paramref name="first"/>, <paramref name="first"/> + 1, … and moves the next index past them,
    /// in one transaction (<see cref="SqliteIndexWriter.Commit"/>). An identity already present
    /// keeps its index: the first index wins.
    /// </summary>
    public long Commit(long first, ReadOnlySpan<byte> identities)
    {
        if (identities.Length % IdentityKey.Size != 0)
            throw new ArgumentException($"{identities.Length} bytes are not a whole number of identities", nameof(identities));
        int count = identities.Length / IdentityKey.Size;
        // The span cannot enter the lambda: the rows are copied out of it one at a time.
        byte[] rows = identities.ToArray();
        return _writer.Commit(first, count, () =>
        {
            for (int i = 0; i < count; i++)
            {
                rows.AsSpan(i * IdentityKey.Size, IdentityKey.Size).CopyTo(_hash);
                _index.Value = first + i;
                _insert.ExecuteNonQuery();
            }
        }, _insert);
    }

    public void Dispose()
    {
        _insert.Dispose();
        _writer.Dispose();
    }
}
