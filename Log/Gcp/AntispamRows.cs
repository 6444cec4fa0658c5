using RekorPosix.Log.Antispam;

namespace RekorPosix.Log.Gcp;

/// <summary>
/// The IDSeq rows of a follower batch: the identity of each entry from <c>first</c> on with its
/// index, a repeat within the batch only at its first (lowest) index, since a commit must not
/// insert one key twice (Spanner fails the whole commit with ALREADY_EXISTS).
/// </summary>
internal sealed record AntispamRows(int Count, IReadOnlyList<(byte[] Hash, long Index)> Rows)
{
    /// <summary>The rows of <paramref name="identities"/> (32 bytes each) from index <paramref name="first"/>.</summary>
    public static AntispamRows Of(long first, ReadOnlySpan<byte> identities)
    {
        int count = identities.Length / IdentityKey.Size;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<(byte[] Hash, long Index)>(count);
        for (int i = 0; i < count; i++)
        {
            byte[] hash = identities.Slice(i * IdentityKey.Size, IdentityKey.Size).ToArray();
            if (seen.Add(Convert.ToHexString(hash)))
                rows.Add((hash, first + i));
        }
        return new AntispamRows(count, rows);
    }
}
