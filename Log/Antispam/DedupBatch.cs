using System.Security.Cryptography;
using RekorPosix.Log.Following;

namespace RekorPosix.Log.Antispam;

/// <summary>The dedup follower's batch: the SHA-256 identity of each entry, side by side in one
/// buffer of the batch size, committed to the index in one call.</summary>
internal sealed class DedupBatch(IDedupIndex index, int maxBatchSize) : IFollowerBatch
{
    private readonly byte[] _identities = new byte[maxBatchSize * IdentityKey.Size];
    private int _count;

    public void Clear() => _count = 0;

    public void Add(long index, ReadOnlySpan<byte> entry)
    {
        SHA256.HashData(entry, _identities.AsSpan(_count * IdentityKey.Size, IdentityKey.Size));
        _count++;
    }

    public long Commit(long first, int count)
    {
        if (count != _count)
            throw new InvalidOperationException($"{_count} entries were added for a commit of {count}");
        _count = 0;
        return index.Commit(first, _identities.AsSpan(0, count * IdentityKey.Size));
    }
}
