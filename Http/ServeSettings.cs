using RekorPosix.Log;

namespace RekorPosix.Http;

/// <summary>Everything <c>serve</c> was told, after parsing.</summary>
public sealed record ServeSettings
{
    /// <summary>Where the embedded default keeps its log and key: systemd's StateDirectory when
    /// run as a unit, ./rekor-data otherwise.</summary>
    public static string DefaultDataDir() =>
        Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } state
            ? state.Split(':')[0]
            : Path.Combine(Environment.CurrentDirectory, "rekor-data");

    /// <summary>rekor-tiles' default origin: the machine's host name, or localhost.</summary>
    public static string DefaultHostname()
    {
        try
        {
            string name = System.Net.Dns.GetHostName();
            return string.IsNullOrWhiteSpace(name) ? "localhost" : name;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }

    public string? StorageDir { get; init; }
    public string? SignerFile { get; init; }
    public string SignerPassword { get; init; } = "";
    public string Hostname { get; init; } = "localhost";
    public string HttpAddress { get; init; } = "127.0.0.1";
    public int HttpPort { get; init; } = 3000;
    public AppendOptions Append { get; init; } = new();
}
