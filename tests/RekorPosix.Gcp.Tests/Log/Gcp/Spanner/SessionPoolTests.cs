using Grpc.Core;
using Microsoft.Extensions.Logging;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Protos.Spanner;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Sessions on the emulator (spec gcp-spanner-flavour.md §6.9): made in batches, reused,
/// bounded, replaced when gone, deleted on dispose, and a dispose that Spanner does not answer
/// ends at its deadline.</summary>
public sealed class SessionPoolTests : IAsyncLifetime
{
    private static readonly SpannerSettings Settings = new() { MaxSessions = 3, SessionBatch = 2 };
    private EmulatorDatabase _database = null!;

    public async Task InitializeAsync() => _database = await EmulatorDatabase.CreateAsync(Settings);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task SessionsComeInBatches_AndAreReused()
    {
        await using var pool = new SessionPool(_database.Connection, _database.Name);

        string first;
        using (var lease = await pool.LeaseAsync(CancellationToken.None))
            first = lease.Name;
        using var again = await pool.LeaseAsync(CancellationToken.None);
        using var second = await pool.LeaseAsync(CancellationToken.None);

        Assert.StartsWith(_database.Name + "/sessions/", first);
        Assert.Equal(first, again.Name);
        Assert.NotEqual(first, second.Name);
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public async Task NoMoreThanMaxSessions_AreLeased_TheNextWaitsForAReturn()
    {
        await using var pool = new SessionPool(_database.Connection, _database.Name);
        var leases = new List<SessionLease>();
        for (int i = 0; i < Settings.MaxSessions; i++)
            leases.Add(await pool.LeaseAsync(CancellationToken.None));

        var waiting = pool.LeaseAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        leases[1].Dispose();
        using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(leases[1].Name, next.Name);
        Assert.Equal(Settings.MaxSessions, pool.Count);
        Assert.Equal(Settings.MaxSessions, leases.Select(l => l.Name).Distinct().Count());
        foreach (var lease in leases)
            lease.Dispose();
    }

    [Fact]
    public async Task ADiscardedSession_IsReplacedByANewOne()
    {
        await using var pool = new SessionPool(_database.Connection, _database.Name);
        var gone = await pool.LeaseAsync(CancellationToken.None);
        string goneName = gone.Name;
        gone.Discard();
        gone.Dispose();

        using var lease = await pool.LeaseAsync(CancellationToken.None);

        Assert.NotEqual(goneName, lease.Name);
    }

    [Fact]
    public async Task Dispose_DeletesTheSessions()
    {
        var pool = new SessionPool(_database.Connection, _database.Name);
        string name;
        using (var lease = await pool.LeaseAsync(CancellationToken.None))
            name = lease.Name;

        await pool.DisposeAsync();

        var error = await Assert.ThrowsAsync<SpannerException>(() => _database.Connection.CallAsync("BeginTransaction", _database.Name, TimeSpan.FromSeconds(30),
            options => _database.Connection.Data.BeginTransactionAsync(new BeginTransactionRequest
            {
                Session = name,
                Options = new TransactionOptions { ReadWrite = new TransactionOptions.Types.ReadWrite() },
            }, options), CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, error.Code);
        Assert.True(error.IsSessionNotFound, error.Message);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public async Task Dispose_DeletesEverySessionItMade_AsTheEmulatorListsThem()
    {
        var pool = new SessionPool(_database.Connection, _database.Name);
        var leases = new List<SessionLease>();
        for (int i = 0; i < Settings.MaxSessions; i++)
            leases.Add(await pool.LeaseAsync(CancellationToken.None));
        foreach (var lease in leases)
            lease.Dispose();
        Assert.Equal(leases.Select(l => l.Name).Order(), (await SpannerEmulator.SessionsAsync(_database.Name)).Order());

        await pool.DisposeAsync();

        Assert.Empty(await SpannerEmulator.SessionsAsync(_database.Name));
    }

    [Fact]
    public async Task ALease_AfterDispose_IsRefused_SoNoSessionIsLeftBehind()
    {
        var pool = new SessionPool(_database.Connection, _database.Name);
        await pool.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.LeaseAsync(CancellationToken.None));
        Assert.Empty(await SpannerEmulator.SessionsAsync(_database.Name));
    }

    [Fact]
    public async Task Dispose_WhenSpannerStopsAnswering_EndsAtTheShutdownDeadline_AndLogsWhatWasLeft()
    {
        await using var relay = new TcpRelay(SpannerEmulator.Endpoint().Address.Authority);
        var logger = new CapturingLogger();
        using var connection = new SpannerConnection(SpannerEndpoint.Emulator(relay.HostPort),
            Settings with { ShutdownTimeout = TimeSpan.FromMilliseconds(300) }, logger);
        var pool = new SessionPool(connection, _database.Name);
        using (await pool.LeaseAsync(CancellationToken.None))
        {
        }
        relay.Blackhole();

        // The guard only stops a hang; what is asserted is the outcome.
        await pool.DisposeAsync().AsTask().WaitAsync(HangGuard.Timeout);

        string warning = Assert.Single(logger.At(LogLevel.Warning));
        Assert.StartsWith($"Spanner DeleteSession at shutdown: 2 of 2 sessions of {_database.Name} not deleted (Spanner drops them after an hour idle): ", warning);
        Assert.Equal(0, pool.Count);
        Assert.Equal(2, (await SpannerEmulator.SessionsAsync(_database.Name)).Count);
    }

    [Fact]
    public async Task Dispose_WhenSpannerIsGone_LogsIt_AndDoesNotThrow()
    {
        var relay = new TcpRelay(SpannerEmulator.Endpoint().Address.Authority);
        var logger = new CapturingLogger();
        using var connection = new SpannerConnection(SpannerEndpoint.Emulator(relay.HostPort), Settings, logger);
        var pool = new SessionPool(connection, _database.Name);
        using (await pool.LeaseAsync(CancellationToken.None))
        {
        }
        await relay.DisposeAsync();

        await pool.DisposeAsync().AsTask().WaitAsync(HangGuard.Timeout);

        string warning = Assert.Single(logger.At(LogLevel.Warning));
        Assert.StartsWith($"Spanner DeleteSession at shutdown: 2 of 2 sessions of {_database.Name} not deleted", warning);
    }
}
