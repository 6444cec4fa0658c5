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
internal sealed class MySqlDedupIndex(MySqlDataSource database, ILogger logger) : IDedupIndex
{
    public const long CompatibilityVersion = 1;

    /// <summary>tessera's antispam batch for this backend when --antispam-max-batch-size is 0.</summary>
    public const int DefaultMaxBatchSize = 64;

    private static readonly string[] CreateTables =
    [
        "CREATE TABLE IF NOT EXISTS AntispamMeta (id INT UNSIGNED NOT NULL, compatibilityVersion BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
        "CREATE TABLE IF NOT EXISTS AntispamIDSeq (h TINYBLOB NOT NULL, idx BIGINT UNSIGNED NOT NULL, PRIMARY KEY(h(32)))",
        "CREATE TABLE IF NOT EXISTS AntispamFollowCoord (id INT UNSIGNED NOT NULL, nextIdx BIGINT UNSIGNED NOT NULL, PRIMARY KEY(id))",
        $"INSERT IGNORE INTO AntispamMeta (id, compatibilityVersion) VALUES (0, {CompatibilityVersion})",
        "INSERT IGNORE INTO AntispamFollowCoord (id, nextIdx) VALUES (0, 0)",
    ];

    /// <summary>Creates what is missing and checks the version; a database that cannot be reached
    /// leaves the log with in-memory dedup (<see cref="DedupIndexUnavailableException"/>).</summary>
    public static Func<ILogger, IDedupIndex> In(MySqlDataSource database) => logger =>
    {
        try
        {
            long found = MySqlFollowedTables.Create(database, CreateTables, "SELECT compatibilityVersion FROM AntispamMeta WHERE id = 0");
            if (found != CompatibilityVersion)
                throw new LogStateException($"AntispamMeta.compatibilityVersion is {found}; this build only understands {CompatibilityVersion}");
        }
        catch (Exception e) when (e is MySqlException or InvalidOperationException)
        {
            throw new DedupIndexUnavailableException($"the antispam tables cannot be used: {e.Message}", e);
        }
        return new MySqlDedupIndex(database, logger);
    };

    private readonly BatchedLookups _lookups = new(database, logger);

    public bool SuspectedDamaged => false;

    public bool IsDamage(Exception error) => false;

    /// <summary>Gathered with the other adds' lookups into one query (<see cref="BatchedLookups"/>).</summary>
    public ValueTask<long?> FindAsync(ReadOnlyMemory<byte> identity) => new(_lookups.FindAsync(identity));

    private readonly MySqlFollowedTables _tables = new(database, "AntispamIDSeq", "h, idx", "AntispamFollowCoord");

    public long ReadNextIndex() => _tables.ReadNextIndex();

    /// <summary>One transaction (<see cref="MySqlFollowedTables.Commit"/>): INSERT IGNORE keeps the
    /// earliest index of a repeat.</summary>
    public long Commit(long first, ReadOnlySpan<byte> identities)
    {
        int count = identities.Length / IdentityKey.Size;
        var rows = new (byte[], long)[count];
        for (int i = 0; i < count; i++)
            rows[i] = (identities.Slice(i * IdentityKey.Size, IdentityKey.Size).ToArray(), first + i);
        return _tables.Commit(first, count, rows);
    }

    /// <summary>Asked for when the index claims more entries than the log has: it is another log's.
    /// The identities go and the follower starts over from 0.</summary>
    public void Rebuild(string reason)
    {
        Following.IndexEvents.Rebuilding(logger, "antispam", "AntispamIDSeq", reason, "(emptied)");
        _tables.Empty();
    }

    /// <summary>The data source belongs to the flavour, which disposes it.</summary>
    public void Dispose()
    {
    }
}
