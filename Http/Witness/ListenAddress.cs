using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace RekorPosix.Http.Witness;

/// <summary>
/// Where the witness listens, from <c>--listen</c>: <c>HOST:PORT</c> with an IPv4 address,
/// <c>[IPv6]</c>, <c>localhost</c>, or nothing for every interface (<c>:8100</c>).
/// </summary>
internal sealed record ListenAddress(string Host, int Port)
{
    /// <exception cref="FormatException">Not HOST:PORT with a port from 1 to 65535 and an address as above.</exception>
    public static ListenAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.LastIndexOf(':');
        if (colon < 0)
            throw new FormatException($"\"{text}\" is not HOST:PORT (\":PORT\" listens on every interface)");
        string host = text[..colon];
        string digits = text[(colon + 1)..];
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new FormatException($"\"{digits}\" in \"{text}\" is not a port from 1 to 65535");
        if (host.StartsWith('[') && host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            return new ListenAddress(v6.ToString(), port);
        if (host is "" or "localhost")
            return new ListenAddress(host, port);
        // An IPv6 address needs its brackets, or its last group would read as the port.
        if (!host.Contains(':') && IPAddress.TryParse(host, out var v4) && v4.ToString() == host)
            return new ListenAddress(host, port);
        throw new FormatException($"\"{host}\" in \"{text}\" is not an IP address, [IPv6 address], localhost or empty");
    }

    public void Listen(KestrelServerOptions kestrel, Action<ListenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        switch (Host)
        {
            case "":
                kestrel.ListenAnyIP(Port, configure);
                break;
            case "localhost":
                kestrel.ListenLocalhost(Port, configure);
                break;
            default:
                kestrel.Listen(IPAddress.Parse(Host), Port, configure);
                break;
        }
    }

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
