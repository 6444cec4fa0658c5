using RekorPosix.Log.Aws;
using RekorPosix.Log.Cloud;

namespace RekorPosix.Tests.Log.Aws;

public sealed class JobBudgetTests
{
    [Fact]
    public async Task AJobWithinItsBudget_ReturnsItsResult()
    {
        Assert.Equal(42, await JobBudget.RunAsync("job", TimeSpan.FromSeconds(10), _ => Task.FromResult(42), CancellationToken.None));
    }

    [Fact]
    public async Task AJobPastItsBudget_IsCancelled_AndReportedAsATimeoutNamingIt()
    {
        CancellationToken seen = default;
        var e = await Assert.ThrowsAsync<TimeoutException>(() => JobBudget.RunAsync<int>("integration", TimeSpan.FromMilliseconds(50), async budget =>
        {
            seen = budget;
            await Task.Delay(Timeout.Infinite, budget);
            return 0;
        }, CancellationToken.None));

        Assert.True(seen.IsCancellationRequested);
        Assert.StartsWith("integration took longer than 50ms", e.Message);
    }

    [Fact]
    public async Task TheCallersCancellation_StaysACancellation()
    {
        using var stop = new CancellationTokenSource();
        var job = JobBudget.RunAsync<int>("publication", TimeSpan.FromSeconds(30), async budget =>
        {
            await Task.Delay(Timeout.Infinite, budget);
            return 0;
        }, stop.Token);
        await stop.CancelAsync();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        Assert.IsNotType<TimeoutException>(e);
    }
}
