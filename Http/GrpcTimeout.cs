namespace RekorPosix.Http;

/// <summary>
/// The client's deadline on a gRPC call: the <c>grpc-timeout</c> header, 1 to 8 ASCII digits and
/// a unit (H, M, S, m, u, n), as gRPC's PROTOCOL-HTTP2 defines it. Read here rather than taken
/// from Grpc.AspNetCore, which ignores a timeout below its 100 ns tick ("1n", "0S") and so
/// answered such calls OK where grpc-go's context has already expired.
/// </summary>
public static class GrpcTimeout
{
    public const string Header = "grpc-timeout";

    /// <summary>The timeout, rounded down to a tick (100 ns), so "1n" is zero: already passed.</summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length is < 2 or > 9)
            return false;
        long amount = 0;
        foreach (char digit in value.AsSpan(0, value.Length - 1))
        {
            if (!char.IsAsciiDigit(digit))
                return false;
            amount = amount * 10 + (digit - '0');
        }
        long? ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * TimeSpan.TicksPerMicrosecond,
            'n' => amount / 100,
            _ => null,
        };
        if (ticks is null)
            return false;
        timeout = TimeSpan.FromTicks(ticks.Value);
        return true;
    }
}
