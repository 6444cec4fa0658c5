using Microsoft.Extensions.Logging;
using RekorPosix.Log.Following;

namespace RekorPosix.Log.Aws;

/// <summary>What every followed index in the database answers the same way to its follower: its
/// position from the coordination row, no damage (MySQL errors are retried, never taken for
/// damage), a rebuild that empties the rows, and a dispose that leaves the data source to the
/// flavour.</summary>
internal abstract class MySqlFollowedIndex(MySqlFollowedTables tables, string name, string rowsTable, ILogger logger) : IFollowedIndex
{
    protected MySqlFollowedTables Tables { get; } = tables;

    public bool SuspectedDamaged => false;

    public bool IsDamage(Exception error) => false;

    public long ReadNextIndex() => Tables.ReadNextIndex();

    /// <summary>Asked for when the index claims more entries than the log has: it is another log's.
    /// The rows go and the followers start over from 0.</summary>
    public void Rebuild(string reason)
    {
        IndexEvents.Rebuilding(logger, name, rowsTable, reason, "(emptied)");
        Tables.Empty();
    }

    /// <summary>The data source belongs to the flavour, which disposes it.</summary>
    public void Dispose()
    {
    }
}
