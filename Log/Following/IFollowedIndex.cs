namespace RekorPosix.Log.Following;

/// <summary>
/// An index a <see cref="LogFollower"/> keeps up with the log (the dedup index, the search
/// index): it stores its own next index with its rows, so a restart resumes where the last commit
/// left off, and it can be started anew, since the entry bundles can always rebuild it.
/// </summary>
internal interface IFollowedIndex : IDisposable
{
    /// <summary>True once a lookup met damage; the follower then rebuilds the index.</summary>
    bool SuspectedDamaged { get; }

    /// <summary>Entries below this index are indexed.</summary>
    long ReadNextIndex();

    /// <summary>Starts an empty index (next index 0), logging why.</summary>
    void Rebuild(string reason);

    /// <summary>True when <paramref name="error"/> from a commit means the index is damaged and
    /// should be rebuilt, rather than a failure to retry.</summary>
    bool IsDamage(Exception error);
}
