using System.Globalization;

namespace RekorPosix.Bench;

/// <summary>The command line of <c>rekor-bench soak</c>.</summary>
public sealed record SoakOptions(
    string Url, string TilesUrl, double Rate, int DurationSeconds, int ServerPid, int SampleSeconds,
    int Readers, double ReadRate, int Pool, int Producers, int TimeoutSeconds, int ClientIdleSeconds)
{
    public const string Usage = "usage: rekor-bench soak --url http://127.0.0.1:3000 --tiles-url http://127.0.0.1:3002 --rate R --duration SECONDS " +
        "[--server-pid PID] [--sample-seconds 10] [--readers 4] [--read-rate 200] [--pool 512] [--producers 2] [--timeout 30] [--client-idle-timeout 10]";

    public static SoakOptions? Parse(IReadOnlyList<string> args)
    {
        var o = new SoakOptions("", "", 0, 0, 0, 10, 4, 200, 512, 2, 30, 10);
        for (int i = 0; i < args.Count; i++)
        {
            string? value = i + 1 < args.Count ? args[i + 1] : null;
            bool isInt = int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n > 0;
            bool isRate = double.TryParse(value, CultureInfo.InvariantCulture, out double r) && r > 0;
            switch (args[i])
            {
                case "--url" when value is not null: o = o with { Url = value }; break;
                case "--tiles-url" when value is not null: o = o with { TilesUrl = value }; break;
                case "--rate" when isRate: o = o with { Rate = r }; break;
                case "--duration" when isInt: o = o with { DurationSeconds = n }; break;
                case "--server-pid" when isInt: o = o with { ServerPid = n }; break;
                case "--sample-seconds" when isInt: o = o with { SampleSeconds = n }; break;
                case "--readers" when isInt: o = o with { Readers = n }; break;
                case "--read-rate" when isRate: o = o with { ReadRate = r }; break;
                case "--pool" when isInt: o = o with { Pool = n }; break;
                case "--producers" when isInt: o = o with { Producers = n }; break;
                case "--timeout" when isInt: o = o with { TimeoutSeconds = n }; break;
                case "--client-idle-timeout" when isInt: o = o with { ClientIdleSeconds = n }; break;
                default:
                    Console.Error.WriteLine($"rekor-bench soak: bad argument {args[i]}");
                    return null;
            }
            i++;
        }
        return o.Url.Length == 0 || o.TilesUrl.Length == 0 || o.Rate <= 0 || o.DurationSeconds <= 0 ? null : o;
    }
}
