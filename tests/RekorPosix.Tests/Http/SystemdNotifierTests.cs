using RekorPosix.Http;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

public class SystemdNotifierTests
{
    // Each datagram is sent before it is waited for: only a hang ends a wait.
    private static readonly TimeSpan Wait = HangGuard.Timeout;

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("@")]
    [InlineData("relative/path")]
    [InlineData("vsock:2:1234")]
    public void NoUnixSocket_NoNotifier(string? address)
    {
        Assert.Null(SystemdNotifier.Create(address));
    }

    [Fact]
    public async Task AbstractName_ReceivesEachStateAsOneDatagram()
    {
        using var socket = new NotifySocket();
        using var notifier = SystemdNotifier.Create(socket.Address)!;
        notifier.Ready("serving; tree size 3");
        Assert.Equal("READY=1\nSTATUS=serving; tree size 3", await socket.ReceiveAsync(Wait));
        notifier.Watchdog("serving; tree size 4");
        Assert.Equal("WATCHDOG=1\nSTATUS=serving; tree size 4", await socket.ReceiveAsync(Wait));
        notifier.Status("busy");
        Assert.Equal("STATUS=busy", await socket.ReceiveAsync(Wait));
        notifier.Stopping("bye");
        Assert.Equal("STOPPING=1\nSTATUS=bye", await socket.ReceiveAsync(Wait));
    }

    [Fact]
    public async Task PathSocket_Works_AndAGoneSocketIsIgnored()
    {
        using var dir = new TempDir();
        var socket = new NotifySocket(dir["notify"]);
        using var notifier = SystemdNotifier.Create(dir["notify"])!;
        notifier.Ready("up");
        Assert.Equal("READY=1\nSTATUS=up", await socket.ReceiveAsync(Wait));
        socket.Dispose();
        File.Delete(dir["notify"]);
        notifier.Stopping("nobody listens"); // must not throw
    }

    [Theory]
    [InlineData("30000000", null, 15_000)]
    [InlineData("30000000", "42", 15_000)]
    [InlineData("1000", "", 0.5)]
    public void WatchdogInterval_IsHalfTheTimeout(string usec, string? pid, double expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), SystemdNotifier.WatchdogInterval(usec, pid, 42));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData("abc", null)]
    [InlineData("30000000", "43")]
    public void WatchdogInterval_OffOrForAnotherProcess_IsNull(string? usec, string? pid)
    {
        Assert.Null(SystemdNotifier.WatchdogInterval(usec, pid, 42));
    }
}
