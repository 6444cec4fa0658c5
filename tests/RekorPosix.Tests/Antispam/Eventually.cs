namespace RekorPosix.Tests.Antispam;

/// <summary>Waits for background work (the follower) to reach a state, failing after a timeout.</summary>
public static class Eventually
{
    public static async Task True(Func<bool> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(5);
        }
    }
}
