using RekorPosix.Protos.Spanner;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// The data API of one Spanner database as the gcp driver uses it (spec gcp-spanner-flavour.md
/// §6.3): strong single reads, read-write transactions with retries, and mutation groups applied
/// on their own. No SQL, no DML. Creating it makes no call; sessions come with the first use.
/// </summary>
internal sealed class SpannerClient : IAsyncDisposable
{
    private readonly SpannerConnection _connection;
    private readonly SessionPool _sessions;
    private readonly TransactionRunner _transactions;

    public SpannerClient(SpannerConnection connection, SpannerDatabaseName database)
    {
        _connection = connection;
        Database = database;
        _sessions = new SessionPool(connection, database);
        _transactions = new TransactionRunner(connection, database, _sessions);
    }

    public SpannerDatabaseName Database { get; }

    /// <summary>Sessions held, leased or idle.</summary>
    public int Sessions => _sessions.Count;

    /// <summary>
    /// A single read (single-use, read-only, strong): the latest committed rows of
    /// <paramref name="keys"/> in key order, a missing key being no row. Never blocked by a
    /// read-write transaction.
    /// </summary>
    public async Task<IReadOnlyList<SpannerRow>> ReadAsync(string table, IReadOnlyList<string> columns, KeySet keys, CancellationToken cancel)
    {
        for (int attempt = 1; ; attempt++)
        {
            var lease = await _sessions.LeaseAsync(cancel).ConfigureAwait(false);
            try
            {
                var request = new ReadRequest
                {
                    Session = lease.Name,
                    Transaction = new TransactionSelector { SingleUse = new TransactionOptions { ReadOnly = new TransactionOptions.Types.ReadOnly { Strong = true } } },
                    Table = table,
                    KeySet = keys,
                };
                request.Columns.Add(columns);
                return await _connection.StreamingReadAsync(Database, request, cancel).ConfigureAwait(false);
            }
            catch (SpannerException e) when (e.IsSessionNotFound && attempt == 1)
            {
                // Dropped by Spanner (idle for an hour): once more with a new session.
                lease.Discard();
            }
            finally
            {
                lease.Dispose();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a read-write transaction and commits what it buffered,
    /// re-running it after ABORTED (see <see cref="TransactionRunner"/>): the body must be safe to
    /// run more than once, and its result counts only once this returns.
    /// </summary>
    public Task<T> RunTransactionAsync<T>(Func<SpannerTransaction, CancellationToken, Task<T>> body, CancellationToken cancel) =>
        _transactions.RunAsync(body, cancel);

    /// <summary>Commits <paramref name="mutations"/> as one transaction, retried after ABORTED.
    /// Insert of an existing row fails with ALREADY_EXISTS (<see cref="SpannerException.Code"/>).</summary>
    public Task ApplyAsync(IReadOnlyList<Mutation> mutations, CancellationToken cancel) =>
        _transactions.RunAsync((transaction, _) =>
        {
            transaction.Buffer(mutations);
            return Task.FromResult(true);
        }, cancel);

    public ValueTask DisposeAsync() => _sessions.DisposeAsync();
}
