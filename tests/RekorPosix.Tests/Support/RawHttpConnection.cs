using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RekorPosix.Tests.Support;

/// <summary>One HTTP response as read off the wire: status, headers (names lower-cased) and the
/// body that Content-Length announced.</summary>
public sealed record RawResponse(int Status, string StatusLine, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}

/// <summary>
/// A TCP connection that speaks HTTP/1.x by hand, for what HttpClient will not do: pipelining,
/// malformed or hostile requests, slow sending, not reading, and watching the server close.
/// </summary>
public sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket)
    {
        _socket = socket;
    }

    public static RawHttpConnection Open(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        // A blocking read that outlasts the hang guard is a hang (it throws), never slowness.
        socket.ReceiveTimeout = (int)HangGuard.Timeout.TotalMilliseconds;
        return new RawHttpConnection(socket);
    }

    public Socket Socket => _socket;

    public void Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public void Send(byte[] bytes)
    {
        int sent = 0;
        while (sent < bytes.Length)
            sent += _socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
    }

    /// <summary>A plain GET (or other method) with a Host header.</summary>
    public void Request(string path, string method = "GET", string extraHeaders = "") =>
        Send($"{method} {path} HTTP/1.1\r\nHost: test\r\n{extraHeaders}\r\n");

    /// <summary>Reads one whole response; HEAD answers carry no body whatever they announce.</summary>
    public RawResponse ReadResponse(bool isHead = false)
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            Fill();
        string head = Encoding.Latin1.GetString(_buffer, _start, headEnd);
        _start += headEnd + 4;
        string[] lines = head.Split("\r\n");
        var headers = new Dictionary<string, string>();
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            string name = line[..colon].ToLowerInvariant();
            Assert.False(headers.ContainsKey(name), $"header {name} sent twice");
            headers[name] = line[(colon + 1)..].Trim();
        }
        int status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        long length = headers.TryGetValue("content-length", out string? value) ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var body = new byte[isHead ? 0 : length];
        int copied = 0;
        while (copied < body.Length)
        {
            if (_start == _end)
                Fill();
            int n = Math.Min(body.Length - copied, _end - _start);
            Array.Copy(_buffer, _start, body, copied, n);
            _start += n;
            copied += n;
        }
        return new RawResponse(status, lines[0], headers, body);
    }

    /// <summary>Waits until the server closes (or resets) the connection, reading and dropping
    /// whatever it still sends; false only if it is still open when the hang guard runs out.</summary>
    public bool WaitForClose() => ClosedWithin(HangGuard.Timeout);

    /// <summary>True when the server closed (or reset) the connection within the time given;
    /// anything it still sends before that is read and dropped. For pacing a client that must
    /// notice a close while it does something else; to assert a close, <see cref="WaitForClose"/>.</summary>
    public bool ClosedWithin(TimeSpan time)
    {
        // Stopwatch, not the wall clock: a clock step must not end or stretch the wait.
        var waited = Stopwatch.StartNew();
        _start = _end = 0;
        for (var left = time; left > TimeSpan.Zero; left = time - waited.Elapsed)
        {
            if (!_socket.Poll(left, SelectMode.SelectRead))
                continue;
            try
            {
                if (_socket.Receive(_buffer) == 0)
                    return true;
            }
            catch (SocketException)
            {
                return true;
            }
        }
        return false;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        int n = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (n == 0)
            throw new IOException("the server closed the connection mid-response");
        _end += n;
    }

    public void Dispose() => _socket.Dispose();
}
