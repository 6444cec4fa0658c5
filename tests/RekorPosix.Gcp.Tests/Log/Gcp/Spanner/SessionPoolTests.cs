using Grpc.Core;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Protos.Spanner;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Sessions on the emulator (spec gcp-spanner-flavour.md §6.9): made in batches, reused,
/// bounded, replaced when gone, deleted on dispose.</summary>
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
}
