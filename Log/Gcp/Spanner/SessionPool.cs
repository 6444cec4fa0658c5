using Grpc.Core;
using RekorPosix.Protos.Spanner;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// The sessions of one database (spec gcp-spanner-flavour.md §6.9): a session runs one transaction
/// or read at a time, so each user leases one and gives it back. Sessions are created in batches
/// (BatchCreateSessions) when none is idle, at most <see cref="SpannerSettings.MaxSessions"/>
/// (more users wait), reused, replaced when Spanner has dropped one, and deleted on dispose
/// within <see cref="SpannerSettings.ShutdownTimeout"/>.
/// </summary>
internal sealed class SessionPool(SpannerConnection connection, SpannerDatabaseName database) : IAsyncDisposable
{
    private readonly SemaphoreSlim _slots = new(connection.Settings.MaxSessions);
    private readonly SemaphoreSlim _creating = new(1);
    private readonly Lock _lock = new();
    private readonly Stack<string> _idle = new();
    private readonly HashSet<string> _all = [];
    private bool _disposed;

    /// <summary>Sessions the pool holds, leased or idle.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _all.Count;
        }
    }

    /// <summary>A session for one transaction or read; dispose the lease to give it back.</summary>
    public async Task<SessionLease> LeaseAsync(CancellationToken cancel)
    {
        // A session made after the pool was disposed would never be deleted.
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        await _slots.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            return new SessionLease(this, TakeIdle() ?? await CreateAsync(cancel).ConfigureAwait(false));
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    internal void Return(string session)
    {
        lock (_lock)
        {
            if (_all.Contains(session))
                _idle.Push(session);
        }
        _slots.Release();
    }

    /// <summary>A session Spanner no longer knows: forgotten, its slot freed for a new one.</summary>
    internal void Discard(string session)
    {
        lock (_lock)
            _all.Remove(session);
        _slots.Release();
    }

    /// <summary>
    /// Deletes every session the pool made (leases should all be back by now), all at once within
    /// <see cref="SpannerSettings.ShutdownTimeout"/>. Best effort: a failure is logged, never
    /// thrown, since a session left behind expires after an hour idle; a Spanner that does not
    /// answer delays the caller by the timeout at most.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        string[] sessions;
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            sessions = [.. _all];
            _all.Clear();
            _idle.Clear();
        }
        if (sessions.Length == 0)
            return;
        var timeout = connection.Settings.ShutdownTimeout;
        // The call's deadline alone may not cover a token fetch in its credentials: this does.
        using var deadline = new CancellationTokenSource(timeout);
        string?[] failures = await Task.WhenAll(sessions.Select(session => DeleteAsync(session, timeout, deadline.Token))).ConfigureAwait(false);
        if (failures.OfType<string>().ToList() is { Count: > 0 } failed)
            SpannerEvents.SessionsNotDeleted(connection.Logger, failed.Count, sessions.Length, database.ToString(), failed[0]);
    }

    /// <summary>Null when the session is gone, else why it may not be.</summary>
    private async Task<string?> DeleteAsync(string session, TimeSpan timeout, CancellationToken deadline)
    {
        try
        {
            await connection.CallAsync("DeleteSession", database, timeout,
                options => connection.Data.DeleteSessionAsync(new DeleteSessionRequest { Name = session }, options), deadline).ConfigureAwait(false);
            return null;
        }
        catch (SpannerException e) when (e.Code == StatusCode.NotFound)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return $"no answer within {timeout.TotalSeconds:0.###} s";
        }
        catch (Exception e)
        {
            // Whatever failed (Spanner, the network, a token), shutdown goes on.
            return e.Message;
        }
    }

    private string? TakeIdle()
    {
        lock (_lock)
            return _idle.TryPop(out string? session) ? session : null;
    }

    /// <summary>One batch at a time: leases that waited for it find its extra sessions idle.</summary>
    private async Task<string> CreateAsync(CancellationToken cancel)
    {
        await _creating.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (TakeIdle() is { } made)
                return made;
            int room;
            lock (_lock)
                room = connection.Settings.MaxSessions - _all.Count;
            var request = new BatchCreateSessionsRequest { Database = database.ToString(), SessionCount = Math.Clamp(connection.Settings.SessionBatch, 1, Math.Max(room, 1)) };
            var created = await connection.CallAsync("BatchCreateSessions", database, connection.Settings.CallTimeout,
                options => connection.Data.BatchCreateSessionsAsync(request, options), cancel).ConfigureAwait(false);
            if (created.Session.Count == 0)
                throw new InvalidDataException($"Spanner BatchCreateSessions for {database} returned no session");
            lock (_lock)
            {
                foreach (var session in created.Session)
                    _all.Add(session.Name);
                foreach (var session in created.Session.Skip(1))
                    _idle.Push(session.Name);
            }
            return created.Session[0].Name;
        }
        finally
        {
            _creating.Release();
        }
    }
}
