using System.Buffers.Text;
using System.Text;
using RekorPosix.Http.ReadPath;

namespace RekorPosix.Http.TileServer;

/// <summary>
/// Response heads of the tile listener, assembled from blocks built once: the status line, the
/// date, the headers of the resource kind, Content-Length (always: HEAD says how long the body
/// would be) and a Connection header when the client needs to hear it.
/// </summary>
internal static class ResponseHeads
{
    /// <summary>Room for any head this class writes, plus the short error bodies.</summary>
    public const int MaxLength = 512;

    private static readonly byte[] Ok = "HTTP/1.1 200 OK\r\n"u8.ToArray();
    private static readonly byte[] TileHeaders = Ascii(
        $"Content-Type: {ReadHeaders.TileType}\r\nCache-Control: {ReadHeaders.TileCache}\r\n" +
        $"Access-Control-Allow-Origin: {ReadHeaders.AllowOrigin}\r\nContent-Length: ");
    private static readonly byte[] CheckpointHeaders = Ascii(
        $"Content-Type: {ReadHeaders.CheckpointType}\r\nCache-Control: {ReadHeaders.CheckpointCache}\r\n" +
        $"Access-Control-Allow-Origin: {ReadHeaders.AllowOrigin}\r\nContent-Length: ");
    private static readonly byte[] HistoryHeaders = Ascii(
        $"Content-Type: {ReadHeaders.CheckpointType}\r\nCache-Control: {ReadHeaders.TileCache}\r\n" +
        $"Access-Control-Allow-Origin: {ReadHeaders.AllowOrigin}\r\nContent-Length: ");
    // Errors are never cached: a 404 for a tile not yet published turns into a 200 later.
    private static readonly byte[] ErrorHeaders = Ascii(
        $"Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n" +
        $"Access-Control-Allow-Origin: {ReadHeaders.AllowOrigin}\r\n");
    private static readonly byte[] AllowRead = "Allow: GET, HEAD\r\n"u8.ToArray();
    private static readonly byte[] CloseLine = "Connection: close\r\n"u8.ToArray();
    private static readonly byte[] KeepAliveLine = "Connection: keep-alive\r\n"u8.ToArray();

    /// <summary>Writes the head of a 200 answer; returns the bytes written.</summary>
    public static int WriteFound(Span<byte> destination, ReadOnlySpan<byte> dateLine, ReadKind kind, long length, ConnectionLine connection)
    {
        int n = Append(destination, 0, Ok);
        n = Append(destination, n, dateLine);
        n = Append(destination, n, kind switch { ReadKind.Checkpoint => CheckpointHeaders, ReadKind.History => HistoryHeaders, _ => TileHeaders });
        Utf8Formatter.TryFormat(length, destination[n..], out int digits);
        n += digits;
        n = Append(destination, n, "\r\n"u8);
        n = Append(destination, n, Line(connection));
        return Append(destination, n, "\r\n"u8);
    }

    /// <summary>Writes a whole error answer, with its short text body unless the request was HEAD.</summary>
    public static int WriteError(Span<byte> destination, ReadOnlySpan<byte> dateLine, int status, bool isHead, ConnectionLine connection)
    {
        string reason = Reason(status);
        int n = Append(destination, 0, "HTTP/1.1 "u8);
        Utf8Formatter.TryFormat(status, destination[n..], out int digits);
        n += digits;
        destination[n++] = (byte)' ';
        n += Encoding.ASCII.GetBytes(reason, destination[n..]);
        n = Append(destination, n, "\r\n"u8);
        n = Append(destination, n, dateLine);
        n = Append(destination, n, ErrorHeaders);
        if (status == 405)
            n = Append(destination, n, AllowRead);
        n = Append(destination, n, "Content-Length: "u8);
        Utf8Formatter.TryFormat(reason.Length + 1, destination[n..], out digits);
        n += digits;
        n = Append(destination, n, "\r\n"u8);
        n = Append(destination, n, Line(connection));
        n = Append(destination, n, "\r\n"u8);
        if (isHead)
            return n;
        n += Encoding.ASCII.GetBytes(reason, destination[n..]);
        destination[n++] = (byte)'\n';
        return n;
    }

    public static string Reason(int status) => status switch
    {
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "no reason phrase for this status"),
    };

    private static ReadOnlySpan<byte> Line(ConnectionLine connection) => connection switch
    {
        ConnectionLine.Close => CloseLine,
        ConnectionLine.KeepAlive => KeepAliveLine,
        _ => default,
    };

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
