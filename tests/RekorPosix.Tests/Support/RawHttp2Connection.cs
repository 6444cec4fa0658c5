using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RekorPosix.Tests.Support;

/// <summary>
/// An HTTP/2 connection spoken by hand (h2c, prior knowledge), for what HttpClient will not do:
/// opening streams and resetting them at once, thousands of times (the "rapid reset" attack).
/// Whatever the server sends is read in the background and dropped, but for PING acks.
/// </summary>
public sealed class RawHttp2Connection : IDisposable
{
    private const byte Headers = 1, RstStream = 3, Settings = 4, Ping = 6;
    private const byte EndHeaders = 0x4, Ack = 0x1;
    private const uint Cancel = 8;
    private readonly Socket _socket;
    private readonly Task _drain;
    private readonly TaskCompletionSource _pingAcked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextStream = 1;

    private RawHttp2Connection(Socket socket)
    {
        _socket = socket;
        _drain = Task.Run(Drain);
    }

    public static RawHttp2Connection Open(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        var connection = new RawHttp2Connection(socket);
        connection.TrySend("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray().Concat(Frame(Settings, 0, 0, [])).ToArray());
        return connection;
    }

    /// <summary>Opens a gRPC POST to <paramref name="path"/> and resets it at once, <paramref name="count"/>
    /// times; false when the server closed the connection first.</summary>
    public bool OpenAndResetStreams(string path, int count)
    {
        byte[] block = HeaderBlock(path);
        var batch = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            int stream = _nextStream;
            _nextStream += 2;
            batch.AddRange(Frame(Headers, EndHeaders, stream, block));
            byte[] code = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(code, Cancel);
            batch.AddRange(Frame(RstStream, 0, stream, code));
            if (batch.Count > 16 * 1024 && !TrySend(batch))
                return false;
        }
        return TrySend(batch);
    }

    /// <summary>
    /// Returns once the server has handled every frame sent so far (it acks a PING after them), or
    /// has closed the connection; a hang guard of 30 s.
    /// </summary>
    public async Task WaitUntilHandledAsync()
    {
        if (TrySend(Frame(Ping, 0, 0, new byte[8])))
            await Task.WhenAny(_pingAcked.Task, _drain).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private bool TrySend(List<byte> bytes)
    {
        bool sent = TrySend(bytes.ToArray());
        bytes.Clear();
        return sent;
    }

    private bool TrySend(byte[] bytes)
    {
        try
        {
            int sent = 0;
            while (sent < bytes.Length)
                sent += _socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>HPACK without compression: indexed :method POST and :scheme http, literals for the rest.</summary>
    private static byte[] HeaderBlock(string path)
    {
        var block = new List<byte> { 0x83, 0x86 };
        Literal(block, 0x04, null, path); // :path, static index 4
        Literal(block, 0x01, null, "localhost"); // :authority, static index 1
        Literal(block, 0x0F, 0x10, "application/grpc"); // content-type, static index 31
        block.Add(0x00);
        String(block, "te");
        String(block, "trailers");
        return [.. block];
    }

    private static void Literal(List<byte> block, byte index, byte? indexContinuation, string value)
    {
        block.Add(index);
        if (indexContinuation is { } more)
            block.Add(more);
        String(block, value);
    }

    private static void String(List<byte> block, string value)
    {
        if (value.Length > 126)
            throw new ArgumentException("longer than a one-byte HPACK length", nameof(value));
        block.Add((byte)value.Length);
        block.AddRange(Encoding.ASCII.GetBytes(value));
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>Reads frames until the server closes, noting a PING ack.</summary>
    private void Drain()
    {
        var header = new byte[9];
        try
        {
            while (ReadExactly(header))
            {
                int length = header[0] << 16 | header[1] << 8 | header[2];
                if (!ReadExactly(new byte[length]))
                    return;
                if (header[3] == Ping && (header[4] & Ack) != 0)
                    _pingAcked.TrySetResult();
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private bool ReadExactly(byte[] buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = _socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
            if (read == 0)
                return false;
            filled += read;
        }
        return true;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _drain.Wait(TimeSpan.FromSeconds(30));
    }
}
