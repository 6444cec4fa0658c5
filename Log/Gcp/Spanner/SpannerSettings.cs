namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// Deadlines, limits and pool sizes of the Spanner client. Every call has a deadline: a Spanner
/// that stops answering fails the operation instead of hanging it.
/// </summary>
internal sealed record SpannerSettings
{
    /// <summary>Each data call (a session call, a read's whole stream, a begin, a commit, a rollback).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deleting the sessions at shutdown, all at once, as one deadline: a Spanner that
    /// does not answer delays the exit by no more than this (its sessions expire an hour later).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// This process's read-write transactions on one database run one after another. The emulator
    /// allows one at a time per database and aborts any other at once (spec gcp-spanner-flavour.md
    /// §8.5), so there the gate turns an abort, a backoff and a re-run into a wait. Production
    /// Spanner runs transactions on different rows at once, which sequencing beside integration
    /// relies on: there it stays off.
    /// </summary>
    public bool OneTransactionAtATime { get; init; }

    /// <summary>A read-write transaction with all its retries after ABORTED (spec §4.1 item 5:
    /// retried until the caller's deadline; this is the deadline when the caller gives none sooner).</summary>
    public TimeSpan TransactionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A DDL change including the wait for its long-running operation: production takes
    /// seconds per statement, more when schema changes are throttled.</summary>
    public TimeSpan AdminTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Grpc.Net.Client refuses messages above 4 MB by default, and a few large Seq rows
    /// are more (spec §6.2, pitfall 11); a cell holds at most 10 MiB.</summary>
    public int MaxReceiveMessageBytes { get; init; } = 64 << 20;

    /// <summary>Sessions kept at most: one per concurrent transaction or read (spec §6.9).</summary>
    public int MaxSessions { get; init; } = 16;

    /// <summary>Sessions asked for per BatchCreateSessions when the pool runs dry.</summary>
    public int SessionBatch { get; init; } = 4;

    /// <summary>The first wait after ABORTED when Spanner sends no RetryInfo; doubled per attempt up
    /// to <see cref="MaxAbortBackoff"/>, each wait jittered.</summary>
    public TimeSpan InitialAbortBackoff { get; init; } = TimeSpan.FromMilliseconds(10);

    public TimeSpan MaxAbortBackoff { get; init; } = TimeSpan.FromSeconds(1);
}
