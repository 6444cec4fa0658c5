using System.Net;
using System.Net.Sockets;
using static RekorPosix.Bench.Http2Wire;

namespace RekorPosix.Tests.Support;

/// <summary>
/// An HTTP/2 connection spoken by hand (h2c, prior knowledge), for what HttpClient will not do:
/// opening streams and resetting them at once, thousands of times (the "rapid reset" attack).
/// Whatever the server sends is read in the background and dropped, but for PING acks.
/// </summary>
public sealed class RawHttp2Connection : IDisposable
{
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
        connection.TrySend((byte[])[.. Preface, .. Frame(Settings, 0, 0, [])]);
        return connection;
    }

    /// <summary>Opens a gRPC POST to <paramref name="path"/> and resets it at once, <paramref name="count"/>
    /// times; false when the server closed the connection first.</summary>
    public bool OpenAndResetStreams(string path, int count)
    {
        byte[] block = [.. GrpcRequestBlock(path)];
        var batch = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            int stream = _nextStream;
            _nextStream += 2;
            batch.AddRange(Frame(Headers, EndHeaders, stream, block));
            batch.AddRange(RstCancel(stream));
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
