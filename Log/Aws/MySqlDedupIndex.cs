using Microsoft.Extensions.Logging;
using MySqlConnector;
using RekorPosix.Log.Antispam;

namespace RekorPosix.Log.Aws;

/// <summary>
/// The cloud flavours' antispam index: tessera's MySQL antispam tables in the log's own database
/// (AntispamMeta, AntispamIDSeq keyed by the entry's SHA-256, AntispamFollowCoord), so that a Go
/// server sharing the database finds the same duplicates. Every server runs a follower; they take
/// turns under the AntispamFollowCoord row lock, and one that finds the position moved on skips
/// ahead. MySQL errors are retried by the follower, never taken for damage.
/// </summary>
internal sealed class MySqlDedupIndex(MySqlDataSource database, ILogger logger)
    : MySqlFollowedIndex(new MySqlFollowedTables(database, "AntispamIDSeq", "h, idx", "AntispamFollowCoord"), "antispam", "AntispamIDSeq", logger), IDedupIndex
{
    public const long CompatibilityVersion = 1;

    /// <summary>tessera's antispam batch for this backend when --antispam-max-batch-size is 0.</summary>
    public const int DefaultMaxBatchSize = 64;

    /// <summary>Creates what is missing and checks the version; a database that cannot be reached
    /// leaves the log with in-memory dedup (<see cref="DedupIndexUnavailableException"/>).</summary>
    public static Func<ILogger, IDedupIndex> In(MySqlDataSource database) => logger => MySqlFollowedTables.Open(database, "AntispamMeta",
        "CREATE TABLE IF NOT EXISTS AntispamIDSeq (h TINYBLOB NOT NULL, idx BIGINT UNSIGNED NOT NULL, PRIMARY KEY(h(32)))", "AntispamFollowCoord",
        CompatibilityVersion, (message, e) => new DedupIndexUnavailableException(message, e), () => new MySqlDedupIndex(database, logger));

    private readonly BatchedLookups _lookups = new(database, logger);

    /// <summary>Gathered with the other adds' lookups into one query (<see cref="BatchedLookups"/>).</summary>
    public ValueTask<long?> FindAsync(ReadOnlyMemory<byte> identity) => new(_lookups.FindAsync(identity));

    /// <summary>One transaction (<see cref="MySqlFollowedTables.Commit"/>): INSERT IGNORE keeps the
    /// earliest index of a repeat.</summary>
    public long Commit(long first, ReadOnlySpan<byte> identities)
    {
        int count = identities.Length / IdentityKey.Size;
        var rows = new (byte[], long)[count];
        for (int i = 0; i < count; i++)
            rows[i] = (identities.Slice(i * IdentityKey.Size, IdentityKey.Size).ToArray(), first + i);
        return Tables.Commit(first, count, rows);
    }
}
