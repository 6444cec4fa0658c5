using Grpc.Core;
using RekorPosix.Protos.LongRunning;
using RekorPosix.Protos.SpannerAdmin;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// Schema changes and the long-running operations they return (spec gcp-spanner-flavour.md §3.4,
/// §6.10). The emulator finishes them at once; production takes seconds, so an unfinished
/// operation is polled with a growing interval within <see cref="SpannerSettings.AdminTimeout"/>.
/// A failed operation is a <see cref="SpannerException"/> with the operation's status code (the
/// caller may accept ALREADY_EXISTS, as tessera does for its ALTER).
/// </summary>
internal sealed class SpannerDatabaseAdmin(SpannerConnection connection)
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(5);

    /// <summary>Applies the statements in order, as one schema change.</summary>
    public async Task UpdateDdlAsync(SpannerDatabaseName database, IReadOnlyList<string> statements, CancellationToken cancel)
    {
        var request = new UpdateDatabaseDdlRequest { Database = database.ToString() };
        request.Statements.Add(statements);
        await RunAsync("UpdateDatabaseDdl", database, options => connection.Admin.UpdateDatabaseDdlAsync(request, options), cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies those of the idempotent <paramref name="statements"/> the schema does not satisfy yet
    /// (<see cref="SchemaStatements"/>), as one schema change, or none. A change refused because
    /// another one is in progress (another server starting; on the emulator, any open read-write
    /// transaction) is tried again, with the schema read again, within the admin timeout.
    /// </summary>
    public async Task EnsureDdlAsync(SpannerDatabaseName database, IReadOnlyList<string> statements, CancellationToken cancel)
    {
        var until = DateTime.UtcNow + connection.Settings.AdminTimeout;
        for (var wait = FirstPoll; ; wait = wait * 2 < MaxPoll ? wait * 2 : MaxPoll)
        {
            var missing = SchemaStatements.Missing(statements, await GetDdlAsync(database, cancel).ConfigureAwait(false));
            if (missing.Count == 0)
                return;
            try
            {
                await UpdateDdlAsync(database, missing, cancel).ConfigureAwait(false);
                return;
            }
            catch (SpannerException e) when (IsConcurrentChange(e) && DateTime.UtcNow + wait < until)
            {
                await Task.Delay(wait, cancel).ConfigureAwait(false);
            }
        }
    }

    private static bool IsConcurrentChange(SpannerException e) =>
        e.Code == StatusCode.FailedPrecondition && e.Message.Contains("concurrent schema change", StringComparison.Ordinal);

    /// <summary>The schema as Spanner prints it (canonical form, one statement per table).</summary>
    public async Task<IReadOnlyList<string>> GetDdlAsync(SpannerDatabaseName database, CancellationToken cancel)
    {
        var response = await connection.CallAsync("GetDatabaseDdl", database, connection.Settings.CallTimeout,
            options => connection.Admin.GetDatabaseDdlAsync(new GetDatabaseDdlRequest { Database = database.ToString() }, options), cancel).ConfigureAwait(false);
        return response.Statements;
    }

    /// <summary>Tests and rigs only: the server never creates a database.</summary>
    public Task CreateDatabaseAsync(SpannerDatabaseName database, CancellationToken cancel)
    {
        var request = new CreateDatabaseRequest { Parent = database.InstanceName, CreateStatement = $"CREATE DATABASE `{database.Database}`" };
        return RunAsync("CreateDatabase", database, options => connection.Admin.CreateDatabaseAsync(request, options), cancel);
    }

    /// <summary>Tests and rigs only: an instance holds at most 100 databases by default.</summary>
    public Task DropDatabaseAsync(SpannerDatabaseName database, CancellationToken cancel) =>
        connection.CallAsync("DropDatabase", database, connection.Settings.CallTimeout,
            options => connection.Admin.DropDatabaseAsync(new DropDatabaseRequest { Database = database.ToString() }, options), cancel);

    /// <summary>Starts the operation and waits until it is done, within the admin timeout.</summary>
    private async Task RunAsync(string call, SpannerDatabaseName database, Func<CallOptions, AsyncUnaryCall<Operation>> start, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(connection.Settings.AdminTimeout);
        Operation? operation = null;
        try
        {
            operation = await connection.CallAsync(call, database, connection.Settings.CallTimeout, start, deadline.Token).ConfigureAwait(false);
            for (var poll = FirstPoll; !operation.Done; poll = poll * 2 < MaxPoll ? poll * 2 : MaxPoll)
            {
                await Task.Delay(poll, deadline.Token).ConfigureAwait(false);
                var name = operation.Name;
                operation = await connection.CallAsync($"GetOperation ({call})", database, connection.Settings.CallTimeout,
                    options => connection.Operations.GetOperationAsync(new GetOperationRequest { Name = name }, options), deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"Spanner {call} on {database}: {(operation is null ? "no operation" : $"operation {operation.Name} not done")} after {connection.Settings.AdminTimeout.TotalSeconds:0} s", e);
        }
        if (operation.Error is { } error)
            throw new SpannerException(call, connection.Endpoint, new RpcException(new Status((StatusCode)error.Code, error.Message)));
    }
}
