using Google.Protobuf;
using Grpc.Core;
using RekorPosix.Protos.Spanner;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// Runs a read-write transaction body as Spanner requires (spec gcp-spanner-flavour.md §4.1):
/// begin, run the body, commit its buffered mutations; on ABORTED from any read or the commit,
/// back off and run the body again in a fresh transaction on the same session (which keeps its
/// lock priority) until <see cref="SpannerSettings.TransactionTimeout"/> or the caller's
/// cancellation; on a dropped session, take another. Any other failure before the commit rolls the
/// transaction back (an abandoned one blocks its database for ~10 s on the emulator, pitfall 4).
/// A commit that fails otherwise is not re-run: its outcome may be unknown (item 7).
/// </summary>
internal sealed class TransactionRunner(SpannerConnection connection, SpannerDatabaseName database, SessionPool sessions)
{
    private SpannerSettings Settings => connection.Settings;

    public async Task<T> RunAsync<T>(Func<SpannerTransaction, CancellationToken, Task<T>> body, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(Settings.TransactionTimeout);
        var backoff = new AbortBackoff(Settings);
        SessionLease? lease = null;
        int attempts = 0;
        SpannerException? lastAborted = null;
        var gate = connection.TransactionGate(database);
        bool passed = false;
        try
        {
            if (gate is not null)
            {
                await gate.WaitAsync(deadline.Token).ConfigureAwait(false);
                passed = true;
            }
            lease = await sessions.LeaseAsync(deadline.Token).ConfigureAwait(false);
            while (true)
            {
                attempts++;
                try
                {
                    var result = await AttemptAsync(lease.Name, body, deadline.Token).ConfigureAwait(false);
                    connection.Transactions.Committed();
                    return result;
                }
                catch (Exception e) when (Aborted(e) is { } aborted)
                {
                    connection.Transactions.Aborted();
                    lastAborted = aborted;
                    await Task.Delay(backoff.Next(aborted), deadline.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (SessionGone(e))
                {
                    lease.Discard();
                    lease = await sessions.LeaseAsync(deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            connection.Transactions.Abandoned();
            throw Exhausted(attempts, lastAborted, e);
        }
        catch
        {
            connection.Transactions.Abandoned();
            throw;
        }
        finally
        {
            lease?.Dispose();
            if (passed)
                gate!.Release();
        }
    }

    private async Task<T> AttemptAsync<T>(string session, Func<SpannerTransaction, CancellationToken, Task<T>> body, CancellationToken cancel)
    {
        var begin = new BeginTransactionRequest { Session = session, Options = new TransactionOptions { ReadWrite = new TransactionOptions.Types.ReadWrite() } };
        var transaction = await connection.CallAsync("BeginTransaction", database, Settings.CallTimeout,
            options => connection.Data.BeginTransactionAsync(begin, options), cancel).ConfigureAwait(false);
        var handle = new SpannerTransaction(connection, database, session, transaction.Id);
        T result;
        try
        {
            result = await body(handle, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (Aborted(e) is null)
        {
            await RollbackAsync(session, transaction.Id).ConfigureAwait(false);
            throw;
        }
        var commit = new CommitRequest { Session = session, TransactionId = transaction.Id };
        commit.Mutations.Add(handle.Mutations);
        await connection.CallAsync("Commit", database, Settings.CallTimeout, options => connection.Data.CommitAsync(commit, options), cancel).ConfigureAwait(false);
        return result;
    }

    /// <summary>Not bound to the body's cancellation: a cancelled body still releases its locks.</summary>
    private async Task RollbackAsync(string session, ByteString transaction)
    {
        try
        {
            await connection.CallAsync("Rollback", database, Settings.CallTimeout,
                options => connection.Data.RollbackAsync(new RollbackRequest { Session = session, TransactionId = transaction }, options), CancellationToken.None).ConfigureAwait(false);
        }
        catch (SpannerException)
        {
            // Spanner aborts the transaction itself once idle (~10 s); the body's failure is the news.
        }
    }

    /// <summary>The transaction's own deadline passed: says how often it was aborted rather than
    /// just "cancelled".</summary>
    private TimeoutException Exhausted(int attempts, SpannerException? lastAborted, OperationCanceledException cancelled)
    {
        string within = $"{Settings.TransactionTimeout.TotalSeconds:0.###} s";
        return lastAborted is null
            ? new TimeoutException($"a Spanner transaction on {database} did not finish within {within}", cancelled)
            : new TimeoutException($"a Spanner transaction on {database} was still aborted after {attempts} attempts in {within}: {lastAborted.Message}", lastAborted);
    }

    /// <summary>ABORTED anywhere in the chain: a body may wrap the read that failed.</summary>
    private static SpannerException? Aborted(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SpannerException { Code: StatusCode.Aborted } aborted)
                return aborted;
        }
        return null;
    }

    private static bool SessionGone(Exception e) => e is SpannerException { IsSessionNotFound: true };
}
