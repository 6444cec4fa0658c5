using Grpc.Core;
using RekorPosix.Log;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Protos.Spanner;
using RekorPosix.Tests.Support;
using static RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>
/// Read-write transactions on the emulator (spec gcp-spanner-flavour.md §4.1, §8.5), which allows
/// one active read-write transaction per database and aborts any other at once: the aborted one
/// is re-run and both land; a failed body is rolled back so that the next transaction is not
/// blocked; a body that keeps being aborted gives up at the transaction's deadline.
/// </summary>
public sealed class TransactionRunnerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private EmulatorDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await EmulatorDatabase.CreateAsync();
        await _database.Client.ApplyAsync([SpannerMutations.Insert("Counter", EmulatorDatabase.CounterColumns, Int64(0), Int64(0))], CancellationToken.None);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static KeySet Row0 => SpannerKeys.Of(SpannerKeys.Key(Int64(0)));

    /// <summary>Reads the counter under an exclusive lock and buffers its increment.</summary>
    private static async Task<long> IncrementAsync(SpannerTransaction transaction, CancellationToken cancel)
    {
        long n = (await transaction.ReadExclusiveAsync("Counter", EmulatorDatabase.CounterColumns, Row0, cancel)).Single().Int64(1);
        transaction.Buffer(SpannerMutations.Update("Counter", EmulatorDatabase.CounterColumns, Int64(0), Int64(n + 1)));
        return n + 1;
    }

    private async Task<long> CounterAsync() =>
        (await _database.Client.ReadAsync("Counter", EmulatorDatabase.CounterColumns, Row0, CancellationToken.None)).Single().Int64(1);

    [Fact]
    public async Task TwoConcurrentTransactions_TheAbortedOneIsRerun_AndBothLand()
    {
        var before = _database.Connection.Transactions.Counts;
        var firstHolds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondTried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int firstRuns = 0, secondRuns = 0;

        var first = _database.Client.RunTransactionAsync(async (transaction, cancel) =>
        {
            Interlocked.Increment(ref firstRuns);
            long n = await IncrementAsync(transaction, cancel);
            firstHolds.TrySetResult();
            // Active (it has read) until the other transaction has met it.
            await secondTried.Task.WaitAsync(Patience, cancel);
            return n;
        }, CancellationToken.None);
        await firstHolds.Task.WaitAsync(Patience);
        var second = _database.Client.RunTransactionAsync(async (transaction, cancel) =>
        {
            Interlocked.Increment(ref secondRuns);
            try
            {
                return await IncrementAsync(transaction, cancel);
            }
            finally
            {
                secondTried.TrySetResult();
            }
        }, CancellationToken.None);

        long[] results = await Task.WhenAll(first, second).WaitAsync(Patience);

        Assert.Equal(2, await CounterAsync());
        Assert.Equal([1L, 2L], results.Order());
        // The emulator aborted one of them at least once; its body ran again.
        Assert.True(firstRuns + secondRuns >= 3, $"bodies ran {firstRuns} + {secondRuns} times");
        // Every run counted: two commits, each other run an abort.
        Assert.Equal(new TransactionCountsDelta(2, firstRuns + secondRuns - 2, 0), TransactionCountsDelta.Since(before, _database.Connection));
    }

    [Fact]
    public async Task OneTransactionAtATime_TheSecondWaits_InsteadOfBeingAborted()
    {
        using var gated = new SpannerConnection(SpannerEmulator.Endpoint(), new SpannerSettings { OneTransactionAtATime = true });
        await using var client = new SpannerClient(gated, _database.Name);
        var secondSubmitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int secondRuns = 0;

        var first = client.RunTransactionAsync(async (transaction, cancel) =>
        {
            long n = await IncrementAsync(transaction, cancel);
            await secondSubmitted.Task.WaitAsync(Patience, cancel);
            // Time for an ungated second transaction to read, and be aborted by the emulator.
            await Task.Delay(200, cancel);
            return n;
        }, CancellationToken.None);
        var second = client.RunTransactionAsync((transaction, cancel) =>
        {
            Interlocked.Increment(ref secondRuns);
            return IncrementAsync(transaction, cancel);
        }, CancellationToken.None);
        secondSubmitted.TrySetResult();
        long[] results = await Task.WhenAll(first, second).WaitAsync(Patience);

        Assert.Equal([1L, 2L], results);
        Assert.Equal(1, secondRuns);
        Assert.Equal(new TransactionCounts(2, 0, 0), gated.Transactions.Counts);
    }

    [Fact]
    public async Task AFailedBody_IsRolledBack_SoTheNextTransactionRunsAtOnce()
    {
        var before = _database.Connection.Transactions.Counts;
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => _database.Client.RunTransactionAsync<long>(async (transaction, cancel) =>
        {
            await IncrementAsync(transaction, cancel);
            throw new InvalidOperationException("the body failed");
        }, CancellationToken.None));
        int runs = 0;

        await _database.Client.RunTransactionAsync((transaction, cancel) =>
        {
            runs++;
            return IncrementAsync(transaction, cancel);
        }, CancellationToken.None);

        Assert.Equal("the body failed", failure.Message);
        // Without the rollback the abandoned transaction would stay active (~10 s) and the
        // emulator would abort this one's read.
        Assert.Equal(1, runs);
        Assert.Equal(1, await CounterAsync());
        Assert.Equal(new TransactionCountsDelta(1, 0, 1), TransactionCountsDelta.Since(before, _database.Connection));
    }

    [Fact]
    public async Task AbortedUntilTheDeadline_GivesUp_NamingTheAborts()
    {
        using var impatient = new SpannerConnection(SpannerEmulator.Endpoint(), new SpannerSettings { TransactionTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = new SpannerClient(impatient, _database.Name);
        int runs = 0;

        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.RunTransactionAsync<long>((transaction, cancel) =>
        {
            runs++;
            throw Aborted();
        }, CancellationToken.None));

        Assert.Matches(@"was still aborted after [0-9]+ attempts in 0\.3 s: Spanner Read of Counter failed \(Aborted\): Transaction 1 aborted \(test\)$", error.Message);
        Assert.Equal(StatusCode.Aborted, Assert.IsType<SpannerException>(error.InnerException).Code);
        Assert.True(runs >= 2, $"the body ran {runs} times");
        Assert.Equal(new TransactionCounts(0, runs, 1), impatient.Transactions.Counts);
    }

    [Fact]
    public async Task AbortedInsideABodysOwnException_IsStillRetried()
    {
        int runs = 0;

        long n = await _database.Client.RunTransactionAsync(async (transaction, cancel) =>
        {
            if (++runs == 1)
                throw new InvalidDataException("reading the Seq range failed", Aborted());
            return await IncrementAsync(transaction, cancel);
        }, CancellationToken.None);

        Assert.Equal((1L, 2), (n, runs));
    }

    [Fact]
    public async Task ACommitFailure_IsNotRetried()
    {
        int runs = 0;

        var error = await Assert.ThrowsAsync<SpannerException>(() => _database.Client.RunTransactionAsync((transaction, cancel) =>
        {
            runs++;
            transaction.Buffer(SpannerMutations.Insert("Counter", EmulatorDatabase.CounterColumns, Int64(0), Int64(9)));
            return Task.FromResult(0L);
        }, CancellationToken.None));

        Assert.Equal(StatusCode.AlreadyExists, error.Code);
        Assert.Equal(1, runs);
        Assert.Equal(0, await CounterAsync());
    }

    [Fact]
    public async Task EachAttempt_StartsWithAnEmptyMutationBuffer()
    {
        int runs = 0;

        // Each run buffers an insert of row 100 + run first: a retry that kept the aborted
        // attempt's buffer would commit both rows.
        await _database.Client.RunTransactionAsync(async (transaction, cancel) =>
        {
            int run = ++runs;
            transaction.Buffer(SpannerMutations.Insert("Counter", EmulatorDatabase.CounterColumns, Int64(100 + run), Int64(run)));
            long n = await IncrementAsync(transaction, cancel);
            return run == 1 ? throw Aborted() : n;
        }, CancellationToken.None);

        var extra = await _database.Client.ReadAsync("Counter", EmulatorDatabase.CounterColumns,
            SpannerKeys.ClosedRange(SpannerKeys.Key(Int64(100)), SpannerKeys.Key(Int64(1000))), CancellationToken.None);
        Assert.Equal(2, runs);
        Assert.Equal([102L], extra.Select(r => r.Int64(0)));
        Assert.Equal(1, await CounterAsync());
    }

    [Fact]
    public async Task ASessionSpannerDropped_IsReplaced_AndTheTransactionRuns()
    {
        using var connection = new SpannerConnection(SpannerEmulator.Endpoint(), new SpannerSettings { MaxSessions = 1, SessionBatch = 1 });
        await using var sessions = new SessionPool(connection, _database.Name);
        string dropped;
        using (var lease = await sessions.LeaseAsync(CancellationToken.None))
            dropped = lease.Name;
        // As Spanner does with a session idle for an hour: the pool still holds it.
        await connection.CallAsync("DeleteSession", _database.Name, TimeSpan.FromSeconds(30),
            options => connection.Data.DeleteSessionAsync(new DeleteSessionRequest { Name = dropped }, options), CancellationToken.None);
        var runner = new TransactionRunner(connection, _database.Name, sessions);

        long n = await runner.RunAsync(IncrementAsync, CancellationToken.None);

        Assert.Equal(1, n);
        Assert.Equal(1, sessions.Count);
        using var replacement = await sessions.LeaseAsync(CancellationToken.None);
        Assert.NotEqual(dropped, replacement.Name);
    }

    private static SpannerException Aborted() =>
        new("Read of Counter", SpannerEmulator.Endpoint(), new RpcException(new Status(StatusCode.Aborted, "Transaction 1 aborted (test)")));
}
