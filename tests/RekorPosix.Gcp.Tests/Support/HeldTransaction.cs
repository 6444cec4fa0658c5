using RekorPosix.Log.Gcp.Spanner;
using Keys = RekorPosix.Log.Gcp.Spanner.SpannerKeys;
using Values = RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Tests.Support;

/// <summary>A read-write transaction that holds the exclusive lock on row 0 of a table, as
/// another server's step would, until disposed; then it commits nothing.</summary>
internal sealed class HeldTransaction : IDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromMilliseconds(100);

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _transaction;

    private HeldTransaction(SpannerClient client, string table, string[] columns)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _transaction = client.RunTransactionAsync(async (tx, cancel) =>
        {
            var row0 = Keys.Of(Keys.Key(Values.Int64(0)));
            await tx.ReadExclusiveAsync(table, columns, row0, cancel);
            held.TrySetResult();
            // Busy, as a server writing tiles is: the emulator hands an idle transaction's place
            // to the next one that asks.
            while (!_release.Task.IsCompleted)
            {
                await Task.WhenAny(_release.Task, Task.Delay(KeepAlive, cancel));
                await tx.ReadExclusiveAsync(table, columns, row0, cancel);
            }
            return true;
        }, CancellationToken.None);
        Task.WhenAny(held.Task, _transaction).Unwrap().WaitAsync(HangGuard.Timeout).GetAwaiter().GetResult();
    }

    public static HeldTransaction Start(SpannerClient client, string table, string[] columns) => new(client, table, columns);

    public void Dispose()
    {
        _release.TrySetResult();
        _transaction.WaitAsync(HangGuard.Timeout).GetAwaiter().GetResult();
    }
}
