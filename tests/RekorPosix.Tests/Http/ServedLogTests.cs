using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http;
using RekorPosix.Log;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

/// <summary>What <c>serve</c> runs on is closed in order: the log and its driver first, the
/// flavour's connections (which they use) last, and once.</summary>
public sealed class ServedLogTests
{
    [Fact]
    public async Task Dispose_ClosesTheConnections_AfterTheDriver()
    {
        var driver = new MemoryDriver(new MemoryStore());
        var signer = TestLogKey.Signer();
        var log = await AppendLifecycle.StartAsync(driver, signer.Maker(), signer.CheckSameLog, new AppendOptions(), NullLogger.Instance)
            .WaitAsync(HangGuard.Timeout);
        bool driverClosedFirst = false;
        var connections = new Connections(async () =>
            driverClosedFirst = await Record.ExceptionAsync(() => driver.OpenAsync(CancellationToken.None)) is not null);
        var served = new ServedLog(log, null, null, NullLogger.Instance) { Connections = connections };

        await served.DisposeAsync(HangGuard.Timeout).AsTask().WaitAsync(HangGuard.Timeout);

        Assert.Equal(1, connections.Closed);
        Assert.True(driverClosedFirst);
    }

    [Fact]
    public async Task AReadOnlyLog_ClosesItsConnections_Once()
    {
        var connections = new Connections(() => Task.CompletedTask);
        var served = new ServedLog(null, null, null, NullLogger.Instance) { Connections = connections };

        await served.DisposeAsync();
        await served.DisposeAsync();

        Assert.Equal(1, connections.Closed);
    }

    private sealed class Connections(Func<Task> closing) : IAsyncDisposable
    {
        public int Closed { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await closing();
            Closed++;
        }
    }
}
