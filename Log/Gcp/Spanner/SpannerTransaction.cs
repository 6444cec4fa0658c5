using Google.Protobuf;
using RekorPosix.Protos.Spanner;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// A read-write transaction as its body sees it (spec gcp-spanner-flavour.md §4.1): reads under
/// the transaction, and mutations buffered here until the runner commits them. The body may run
/// again after ABORTED, each time with a fresh transaction and an empty buffer.
/// </summary>
internal sealed class SpannerTransaction(SpannerConnection connection, SpannerDatabaseName database, string session, ByteString id)
{
    private readonly List<Mutation> _mutations = [];

    public IReadOnlyList<Mutation> Mutations => _mutations;

    /// <summary>A plain read: shared locks on what it reads, the scanned range included.</summary>
    public Task<IReadOnlyList<SpannerRow>> ReadAsync(string table, IReadOnlyList<string> columns, KeySet keys, CancellationToken cancel) =>
        ReadAsync(table, columns, keys, ReadRequest.Types.LockHint.Unspecified, cancel);

    /// <summary>A locked read (LOCK_HINT_EXCLUSIVE): how the coordinators serialise on their row.</summary>
    public Task<IReadOnlyList<SpannerRow>> ReadExclusiveAsync(string table, IReadOnlyList<string> columns, KeySet keys, CancellationToken cancel) =>
        ReadAsync(table, columns, keys, ReadRequest.Types.LockHint.Exclusive, cancel);

    /// <summary>Sent with the commit, in this order.</summary>
    public void Buffer(params IEnumerable<Mutation> mutations) => _mutations.AddRange(mutations);

    private Task<IReadOnlyList<SpannerRow>> ReadAsync(string table, IReadOnlyList<string> columns, KeySet keys, ReadRequest.Types.LockHint hint, CancellationToken cancel)
    {
        var request = new ReadRequest
        {
            Session = session,
            Transaction = new TransactionSelector { Id = id },
            Table = table,
            KeySet = keys,
            LockHint = hint,
        };
        request.Columns.Add(columns);
        return connection.StreamingReadAsync(database, request, cancel);
    }
}
