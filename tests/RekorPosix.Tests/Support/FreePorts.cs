using System.Net;
using System.Net.Sockets;

namespace RekorPosix.Tests.Support;

/// <summary>Loopback ports nobody listens on, for servers a test starts.</summary>
public static class FreePorts
{
    /// <summary>Distinct free ports: all listeners are held open until every port is chosen, so the
    /// kernel cannot hand out one port twice. Another process may still take one before the
    /// server binds it; callers start again with fresh ports when that happens.</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
