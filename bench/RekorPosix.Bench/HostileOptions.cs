using System.Globalization;

namespace RekorPosix.Bench;

/// <summary>The command line of <c>rekor-bench hostile</c>: where the server listens, its pid and
/// log file (to watch), and whether to run the short (CI) counts.</summary>
public sealed record HostileOptions(int ApiPort, int GrpcPort, int TilesPort, int MetricsPort, int ServerPid, string ServerLog, bool Short, string? Table)
{
    public const string Usage = "usage: rekor-bench hostile --api-url http://127.0.0.1:P --grpc-url http://127.0.0.1:P --tiles-url http://127.0.0.1:P " +
        "--metrics-url http://127.0.0.1:P --server-pid PID --server-log FILE [--short] [--table FILE]";

    /// <summary>Scales a count down for the CI form.</summary>
    public int Count(int full, int shortForm) => Short ? shortForm : full;

    public static HostileOptions? Parse(IReadOnlyList<string> args)
    {
        var o = new HostileOptions(0, 0, 0, 0, 0, "", false, null);
        for (int i = 0; i < args.Count; i++)
        {
            string? value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--short": o = o with { Short = true }; continue;
                case "--api-url" when LoopbackPort(value) is int p: o = o with { ApiPort = p }; break;
                case "--grpc-url" when LoopbackPort(value) is int p: o = o with { GrpcPort = p }; break;
                case "--tiles-url" when LoopbackPort(value) is int p: o = o with { TilesPort = p }; break;
                case "--metrics-url" when LoopbackPort(value) is int p: o = o with { MetricsPort = p }; break;
                case "--server-pid" when int.TryParse(value, CultureInfo.InvariantCulture, out int pid) && pid > 0: o = o with { ServerPid = pid }; break;
                case "--server-log" when value is not null: o = o with { ServerLog = value }; break;
                case "--table" when value is not null: o = o with { Table = value }; break;
                default:
                    Console.Error.WriteLine($"rekor-bench hostile: bad argument {args[i]} (URLs must be http://127.0.0.1:PORT: the attacks stay on loopback)");
                    return null;
            }
            i++;
        }
        return o.ApiPort == 0 || o.GrpcPort == 0 || o.TilesPort == 0 || o.MetricsPort == 0 || o.ServerPid == 0 || o.ServerLog.Length == 0 ? null : o;
    }

    // Only loopback: these attacks must never leave the machine.
    private static int? LoopbackPort(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme == "http" && u.Host == "127.0.0.1" && u.Port > 0 ? u.Port : null;
}
