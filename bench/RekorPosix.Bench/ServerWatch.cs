using System.Text;

namespace RekorPosix.Bench;

/// <summary>The server as an attack leaves it: memory, descriptors, how much it has logged.</summary>
public readonly record struct ServerState(long RssKiB, int Fds, long LogBytes, int LogLines);

/// <summary>Reads the server's figures from /proc and its captured output file, and asks it
/// whether it still serves.</summary>
public sealed class ServerWatch(HostileOptions options)
{
    public ServerState? Now()
    {
        var footprint = ProcessFootprint.Of(options.ServerPid);
        if (footprint is not { } f)
            return null;
        byte[] log = File.Exists(options.ServerLog) ? File.ReadAllBytes(options.ServerLog) : [];
        return new ServerState(f.RssKiB, f.OpenFds, log.Length, log.Count(b => b == (byte)'\n'));
    }

    /// <summary>The log lines written since <paramref name="offset"/>, to show what an attack made the server say.</summary>
    public string LogSince(long offset)
    {
        byte[] log = File.Exists(options.ServerLog) ? File.ReadAllBytes(options.ServerLog) : [];
        return offset >= log.Length ? "" : Encoding.UTF8.GetString(log, (int)offset, log.Length - (int)offset);
    }

    /// <summary>True when /healthz answers 200 on a fresh connection.</summary>
    public bool Healthy()
    {
        try
        {
            var answer = HttpExchange.Send(options.ApiPort, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            return answer.Statuses is [200];
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Waits (up to a guard) for the descriptors to come back to at most <paramref name="limit"/>:
    /// the server closes connections asynchronously.</summary>
    public void SettleDescriptors(int limit, TimeSpan guard)
    {
        var deadline = DateTime.UtcNow + guard;
        while (DateTime.UtcNow < deadline && (ProcessFootprint.Of(options.ServerPid)?.OpenFds ?? 0) > limit)
            Thread.Sleep(200);
    }
}
