using RekorPosix.Log.Following;

namespace RekorPosix.Log.Antispam;

/// <summary>
/// The persistent antispam index a flavour keeps (SQLite under .state/ for posix, tables in the
/// log's database for the cloud flavours): identity → first log index, plus the follower's next
/// index. Lookups may come from any thread; commits come from the follower alone.
/// </summary>
internal interface IDedupIndex : IFollowedIndex
{
    /// <summary>The first index at which an entry with this identity was indexed, or null (also
    /// when the lookup failed: dedup is best effort and must not fail an add). Asynchronous, as a
    /// database's lookup is: a pool thread must not wait on the network for each add.</summary>
    ValueTask<long?> FindAsync(ReadOnlyMemory<byte> identity);

    /// <summary>Indexes the identities of the entries from <paramref name="first"/> on (32 bytes
    /// each) and moves the next index past them, keeping the earliest index of a repeat; returns the
    /// next index now stored (another follower of a shared index may have moved it further).</summary>
    long Commit(long first, ReadOnlySpan<byte> identities);
}

/// <summary>Opening the persistent index failed: the log goes on with in-memory dedup only.</summary>
internal sealed class DedupIndexUnavailableException(string message, Exception inner) : Exception(message, inner);
