using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RekorPosix.Bench;

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends prepared POST requests and reads each answer's
/// status and body. The load generator shares the two cores with the server it measures, so it
/// does the least a client can: one send and as few receives as the answer needs, no per-request
/// objects beyond the task (HttpClient spent about 60 µs of CPU per request here, this about a third).
/// </summary>
public sealed class PostConnection : IDisposable
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private PostConnection(Socket socket) => _socket = socket;

    /// <summary>Whether the server said it will close the connection after the last answer.</summary>
    public bool Closing { get; private set; }

    public static async Task<PostConnection> OpenAsync(EndPoint server, CancellationToken cancel)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, cancel).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new PostConnection(socket);
    }

    /// <summary>The bytes of a POST of <paramref name="body"/> to <paramref name="path"/>, made once before the run.</summary>
    public static byte[] Request(string host, string path, byte[] body)
    {
        byte[] head = Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        return [.. head, .. body];
    }

    /// <summary>Sends one request and returns the answer's status code once its whole body is read.</summary>
    public async Task<int> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancel)
    {
        while (!request.IsEmpty)
            request = request[await _socket.SendAsync(request, SocketFlags.None, cancel).ConfigureAwait(false)..];
        int headLength;
        while ((headLength = _buffer.AsSpan(_start, _end - _start).IndexOf(HeadEnd)) < 0)
            await ReceiveAsync(cancel).ConfigureAwait(false);
        var head = _buffer.AsSpan(_start, headLength);
        int status = ParseStatus(head);
        long contentLength = HeaderValue(head, "content-length"u8) is { } length && Utf8Parser.TryParse(length, out long n, out _) ? n : -1;
        bool chunked = HeaderValue(head, "transfer-encoding"u8) is { } te && te.IndexOf("chunked"u8) >= 0;
        Closing = HeaderValue(head, "connection"u8) is { } c && c.IndexOf("close"u8) >= 0;
        _start += headLength + HeadEnd.Length;
        if (chunked)
            await SkipChunkedAsync(cancel).ConfigureAwait(false);
        else if (contentLength > 0)
            await SkipAsync(contentLength, cancel).ConfigureAwait(false);
        return status;
    }

    private static int ParseStatus(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 201 Created"
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
            throw new IOException("not an HTTP/1.x answer: " + Encoding.ASCII.GetString(head[..Math.Min(head.Length, 40)]));
        return status;
    }

    /// <summary>The value of the first header called <paramref name="lowerName"/> (matched without case), trimmed.</summary>
    private static ReadOnlySpan<byte> HeaderValue(ReadOnlySpan<byte> head, ReadOnlySpan<byte> lowerName)
    {
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            int colon = line.IndexOf((byte)':');
            if (colon == lowerName.Length && Ascii.EqualsIgnoreCase(line[..colon], lowerName))
                return line[(colon + 1)..].Trim((byte)' ');
        }
        return default;
    }

    private async Task SkipAsync(long count, CancellationToken cancel)
    {
        while (count > 0)
        {
            if (_start == _end)
                await ReceiveAsync(cancel).ConfigureAwait(false);
            int take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async Task SkipChunkedAsync(CancellationToken cancel)
    {
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
                await ReceiveAsync(cancel).ConfigureAwait(false);
            var sizeText = _buffer.AsSpan(_start, lineEnd);
            int extension = sizeText.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(extension < 0 ? sizeText : sizeText[..extension], out long size, out _, 'x'))
                throw new IOException("bad chunk size in an answer");
            _start += lineEnd + 2;
            if (size == 0)
            {
                // No trailers are expected: the last chunk is followed by an empty line.
                await SkipAsync(2, cancel).ConfigureAwait(false);
                return;
            }
            await SkipAsync(size + 2, cancel).ConfigureAwait(false);
        }
    }

    private async Task ReceiveAsync(CancellationToken cancel)
    {
        if (_start == _end)
            _start = _end = 0;
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
        int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancel).ConfigureAwait(false);
        if (read == 0)
            throw new IOException("the server closed the connection");
        _end += read;
    }

    public void Dispose() => _socket.Dispose();
}
