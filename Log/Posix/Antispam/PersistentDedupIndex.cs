using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RekorPosix.Log.Posix.Sqlite;

namespace RekorPosix.Log.Antispam;

/// <summary>
/// The persistent antispam index (<c>.state/antispam.db</c>): identity → first log index, plus the
/// follower's next index, in a <see cref="SqliteIndex{TWriter, TReader}"/> (parallel lookups,
/// one writer, a bad file moved aside and rebuilt).
/// </summary>
internal sealed class PersistentDedupIndex(SqliteIndex<SqliteIndexWriter, DedupIndexReader> file, ILogger logger)
    : SqliteFollowedIndex<SqliteIndexWriter, DedupIndexReader>(file, w => w.ReadNextIndex()), IDedupIndex
{
    /// <summary>Opens the index at <paramref name="path"/> (creating it and its directory), or moves a
    /// bad file aside and starts an empty one. Throws only when no index can be created at all
    /// (file system errors).</summary>
    public static PersistentDedupIndex Open(string path, ILogger logger) => new(
        SqliteIndex<SqliteIndexWriter, DedupIndexReader>.Open(path, SqliteIndexFile.Antispam, p => SqliteIndexWriter.Open(p, SqliteIndexFile.Antispam), p => new DedupIndexReader(p), w => w.ReadNextIndex(), logger),
        logger);

    /// <summary>SQLite in a local file answers at once: <see cref="Find"/> on the caller's thread.</summary>
    public ValueTask<long?> FindAsync(ReadOnlyMemory<byte> identity) => new(Find(identity.Span));

    /// <summary>The first index at which an entry with this identity was indexed, or null. A failed
    /// lookup is logged and answers null: dedup is best effort and must not fail an add.</summary>
    public long? Find(ReadOnlySpan<byte> identity)
    {
        if (identity.Length != IdentityKey.Size)
            throw new ArgumentException($"an identity is {IdentityKey.Size} bytes, not {identity.Length}", nameof(identity));
        byte[] key = identity.ToArray();
        try
        {
            return File.Read(reader => reader.Find(key));
        }
        catch (SqliteException e)
        {
            AntispamEvents.LookupFailed(logger, e);
            return null;
        }
    }

    /// <summary>The identities (<see cref="IdentityKey.Size"/> bytes each) of the entries from
    /// <paramref name="first"/> on, in one transaction (<see cref="SqliteIndexWriter.Commit"/>):
    /// an identity already present keeps its index, the first. Called by the follower only.</summary>
    public long Commit(long first, ReadOnlySpan<byte> identities)
    {
        byte[] rows = identities.ToArray();
        return File.Write(w => w.Commit(first, rows.Length / IdentityKey.Size, rows, IdentityKey.Size, (_, number) => first + number));
    }

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
}
