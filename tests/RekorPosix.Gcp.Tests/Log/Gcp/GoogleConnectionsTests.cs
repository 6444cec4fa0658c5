using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log.Gcp;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp;

/// <summary>The connections own what they open: disposing them deletes the sessions of every
/// Spanner client made through them (on the emulator SPANNER_EMULATOR_HOST names), and nothing
/// new is opened afterwards.</summary>
public sealed class GoogleConnectionsTests
{
    [Fact]
    public async Task Dispose_DeletesTheSessionsOfEveryClient_AndRefusesUseAfterwards()
    {
        await using var database = await EmulatorDatabase.CreateAsync();
        var google = new GoogleConnections(NullLogger.Instance);
        var log = await google.SpannerClientAsync(database.Name);
        var other = await google.SpannerClientAsync(database.Name);
        await log.ReadAsync("Counter", EmulatorDatabase.CounterColumns, SpannerKeys.All(), CancellationToken.None);
        await other.ReadAsync("Counter", EmulatorDatabase.CounterColumns, SpannerKeys.All(), CancellationToken.None);
        Assert.Equal(log.Sessions + other.Sessions, (await SpannerEmulator.SessionsAsync(database.Name)).Count);

        await google.DisposeAsync();

        Assert.Empty(await SpannerEmulator.SessionsAsync(database.Name));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => google.SpannerClientAsync(database.Name));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.ReadAsync("Counter", EmulatorDatabase.CounterColumns, SpannerKeys.All(), CancellationToken.None));
    }

    [Fact]
    public async Task DisposingTwice_IsHarmless()
    {
        var google = new GoogleConnections(NullLogger.Instance);
        await google.SpannerAsync();

        await google.DisposeAsync();
        await google.DisposeAsync();
    }
}
