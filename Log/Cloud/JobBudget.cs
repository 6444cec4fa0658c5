namespace RekorPosix.Log.Cloud;

/// <summary>
/// The time a driver job may take before it gives up, so that a stalled database or object-store
/// call cannot hold a row lock every server waits for (IntCoord, PubCoord, GCCoord, SeqCoord):
/// the job fails, its transaction rolls back, and the next tick tries again. tessera's values
/// (https://github.com/transparency-dev/tessera, storage/aws) where they fit: publication 5 s
/// there; here 10 s, since the checkpoint is signed inside it. Integration gets 60 s, not tessera's
/// 10 s: after an outage it takes up to 20,480 sequenced batches at once, and a backlog that
/// cannot be integrated within its budget would fail the same way at every tick.
/// </summary>
internal static class JobBudget
{
    public static readonly TimeSpan Integration = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Publication = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan GarbageCollection = TimeSpan.FromSeconds(30);
    /// <summary>The bucket read of the sequencer's freeze check, made with SeqCoord locked.</summary>
    public static readonly TimeSpan FreezeCheck = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="job"/> with a token that also fires after <paramref name="budget"/>;
    /// running out is a <see cref="TimeoutException"/> naming the job, the caller's own
    /// cancellation stays an <see cref="OperationCanceledException"/>.</summary>
    public static async Task<T> RunAsync<T>(string name, TimeSpan budget, Func<CancellationToken, Task<T>> job, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(budget);
        try
        {
            return await job(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"{name} took longer than {Http.GoDuration.Format(budget)}: given up, to be tried again", e);
        }
    }
}
