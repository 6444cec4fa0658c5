using RekorPosix.Log;
using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Support;

/// <summary>What a connection's transaction counts moved by since <c>before</c>.</summary>
internal readonly record struct TransactionCountsDelta(long Committed, long Aborted, long Abandoned)
{
    public static TransactionCountsDelta Since(TransactionCounts before, SpannerConnection connection)
    {
        var now = connection.Transactions.Counts;
        return new(now.Committed - before.Committed, now.Aborted - before.Aborted, now.Abandoned - before.Abandoned);
    }
}
