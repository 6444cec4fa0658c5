namespace RekorPosix.Log;

/// <summary>Read-write transactions on a flavour's coordination database, by how each attempt
/// ended, since start: what contention costs (exported as <c>rekor_posix_spanner_transactions_total</c>).</summary>
/// <param name="Committed">Attempts that committed.</param>
/// <param name="Aborted">Attempts the database aborted (a lock conflict), run again.</param>
/// <param name="Abandoned">Transactions that ended without a commit: the body refused (pushback,
/// a frozen log), a call failed, or the deadline passed.</param>
public readonly record struct TransactionCounts(long Committed, long Aborted, long Abandoned);

/// <summary>What a served log's connections implement when they run read-write transactions.</summary>
public interface IStorageTransactions
{
    TransactionCounts Transactions { get; }
}
