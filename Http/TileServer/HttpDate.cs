namespace RekorPosix.Http.TileServer;

/// <summary>The <c>Date</c> header line (RFC 9110 §6.6.1: an origin server with a clock sends
/// it), formatted once per second per worker rather than once per response.</summary>
internal sealed class HttpDate
{
    // "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
    private readonly byte[] _line = new byte[37];
    private long _second = -1;

    public ReadOnlySpan<byte> Line => _line;

    public void Update(DateTime utcNow)
    {
        long second = utcNow.Ticks / TimeSpan.TicksPerSecond;
        if (second == _second)
            return;
        _second = second;
        "Date: "u8.CopyTo(_line);
        utcNow.TryFormat(_line.AsSpan(6), out int written, "R", System.Globalization.CultureInfo.InvariantCulture);
        "\r\n"u8.CopyTo(_line.AsSpan(6 + written));
    }
}
