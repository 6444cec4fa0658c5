using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace RekorPosix.Bench;

/// <summary>What a raw HTTP/1.1 exchange got back: the status of every response seen, whether the
/// server closed the connection, and whether it said nothing before the hang guard.</summary>
public sealed record HttpAnswer(IReadOnlyList<int> Statuses, bool Closed, bool Hung)
{
    public override string ToString() =>
        Hung ? "no answer" : (Statuses.Count == 0 ? "" : string.Join("+", Statuses)) + (Closed ? (Statuses.Count == 0 ? "closed" : " closed") : "");
}

/// <summary>HTTP/1.1 spoken over a raw socket, for the shapes no client library will send.</summary>
public static partial class HttpExchange
{
    /// <summary>Sends <paramref name="request"/>, then reads until the server closes or says nothing
    /// more for <paramref name="idle"/>; a server that never answers is cut off by the hang guard.</summary>
    public static HttpAnswer Send(int port, byte[] request, TimeSpan? idle = null, TimeSpan? guard = null)
    {
        using var socket = Connect(port);
        try
        {
            socket.Send(request);
        }
        catch (SocketException)
        {
            // The server may refuse and close before the whole request is sent: read its answer.
        }
        return Read(socket, idle ?? TimeSpan.FromMilliseconds(500), guard ?? TimeSpan.FromSeconds(15));
    }

    public static HttpAnswer Send(int port, string request, TimeSpan? idle = null) => Send(port, Encoding.Latin1.GetBytes(request), idle);

    public static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>Reads whatever comes until close, an idle gap after the first byte, or the guard.</summary>
    public static HttpAnswer Read(Socket socket, TimeSpan idle, TimeSpan guard)
    {
        var received = new MemoryStream();
        var buffer = new byte[16384];
        var deadline = DateTime.UtcNow + guard;
        bool closed = false;
        while (DateTime.UtcNow < deadline)
        {
            var wait = received.Length == 0 ? deadline - DateTime.UtcNow : idle;
            if (!socket.Poll((int)Math.Max(1, wait.TotalMicroseconds), SelectMode.SelectRead))
                break;
            int n;
            try
            {
                n = socket.Receive(buffer);
            }
            catch (SocketException)
            {
                closed = true; // reset
                break;
            }
            if (n == 0)
            {
                closed = true;
                break;
            }
            received.Write(buffer, 0, n);
        }
        string text = Encoding.Latin1.GetString(received.ToArray());
        var statuses = StatusLine().Matches(text).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return new HttpAnswer(statuses, closed, received.Length == 0 && !closed);
    }

    // Not anchored to a line start: a response whose body has no final newline runs into the next one.
    [GeneratedRegex(@"HTTP/1\.[01] (\d{3}) ")]
    private static partial Regex StatusLine();
}
