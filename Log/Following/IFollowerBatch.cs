namespace RekorPosix.Log.Following;

/// <summary>
/// What a <see cref="LogFollower"/> makes of the entries it reads: it is handed each entry of a
/// batch in log order, then asked to commit them all, with the next index, in one transaction.
/// Used by the follower's thread alone.
/// </summary>
internal interface IFollowerBatch
{
    /// <summary>Drops what was added since the last commit (a batch read in vain).</summary>
    void Clear();

    /// <summary>Adds the rows of the entry at <paramref name="index"/>: the batch's first entry, then the next, and so on.</summary>
    void Add(long index, ReadOnlySpan<byte> entry);

    /// <summary>Stores the rows of the <paramref name="count"/> entries added since the batch began at
    /// <paramref name="first"/> and moves the index's next index past them, unless another follower
    /// of a shared index moved it already; returns the next index now stored. Clears the batch.</summary>
    long Commit(long first, int count);
}
