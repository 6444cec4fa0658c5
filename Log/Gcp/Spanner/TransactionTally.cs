namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>The outcomes of every read-write transaction over one connection (both databases'),
/// counted by <see cref="TransactionRunner"/>; read at each metrics scrape.</summary>
internal sealed class TransactionTally
{
    private long _committed;
    private long _aborted;
    private long _abandoned;

    public void Committed() => Interlocked.Increment(ref _committed);

    public void Aborted() => Interlocked.Increment(ref _aborted);

    public void Abandoned() => Interlocked.Increment(ref _abandoned);

    public TransactionCounts Counts =>
        new(Interlocked.Read(ref _committed), Interlocked.Read(ref _aborted), Interlocked.Read(ref _abandoned));
}
