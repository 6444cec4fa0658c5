using System.Diagnostics;

namespace RekorPosix.Tests.Support;

/// <summary>Waits for background work to reach a state, polling; fails only on the hang guard.</summary>
public static class Eventually
{
    public static async Task True(Func<bool> condition, string what)
    {
        // Stopwatch, not the wall clock: a clock step must not end or stretch the wait.
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > HangGuard.Timeout)
                Assert.Fail($"hang guard: still waiting until {what} after {HangGuard.Timeout.TotalSeconds:F0} s");
            await Task.Delay(5);
        }
    }
}
