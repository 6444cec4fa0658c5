using System.Diagnostics;

namespace RekorPosix.Tests.Support;

/// <summary>
/// Waits for a starting serve to answer /healthz. Nothing else tells a test that serve is up, so
/// it is polled; only the hang guard ends the wait, since a start-up slowed by a loaded machine is
/// no failure, and a serve that exits first ends it at once with the reason.
/// </summary>
public static class HealthzProbe
{
    /// <param name="exited">The reason serve is gone, or null while it runs.</param>
    public static async Task WaitAsync(HttpClient http, Func<Task<string?>> exited)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < HangGuard.Timeout)
        {
            if (await exited() is { } why)
                throw new InvalidOperationException(why);
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"hang guard: serve did not answer /healthz within {HangGuard.Timeout}");
    }
}
