namespace RekorPosix.Tests.Support;

/// <summary>
/// How long a test waits for an event before it calls the wait a hang. The suite shares a noisy
/// 2-core machine with other test classes, so this is far beyond what anything takes there: a
/// wait that ends on it means the event never came, not that the machine was slow. It is never
/// the property a test asserts.
/// </summary>
public static class HangGuard
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
}
