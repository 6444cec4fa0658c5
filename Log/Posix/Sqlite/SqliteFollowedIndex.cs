using RekorPosix.Log.Following;

namespace RekorPosix.Log.Posix.Sqlite;

/// <summary>What every index file of this flavour answers the same way to its follower: its
/// position, damage, a rebuild (moved aside, started anew) and closing, all through its
/// <see cref="SqliteIndex{TWriter, TReader}"/>.</summary>
internal abstract class SqliteFollowedIndex<TWriter, TReader>(SqliteIndex<TWriter, TReader> file, Func<TWriter, long> readNextIndex) : IFollowedIndex
    where TWriter : class, IDisposable
    where TReader : class, IDisposable
{
    protected SqliteIndex<TWriter, TReader> File { get; } = file;

    public string Path => File.Path;

    /// <summary>True once a read met a damaged file; the follower then rebuilds it.</summary>
    public bool SuspectedDamaged => File.SuspectedDamaged;

    public virtual long ReadNextIndex() => File.Write(readNextIndex);

    /// <summary>Moves the file aside and starts an empty index (next index 0), logging why.</summary>
    public void Rebuild(string reason) => File.Rebuild(reason);

    public bool IsDamage(Exception error) => SqliteIndexFile.IsBadFile(error);

    public void Dispose() => File.Dispose();
}
