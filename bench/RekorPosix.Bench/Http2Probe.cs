using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace RekorPosix.Bench;

/// <summary>
/// One h2c connection (prior knowledge) that sends hand-made frames and tallies what the server
/// sends back in the background: HEADERS, RST_STREAM codes, PING and SETTINGS acks, GOAWAY and
/// its code, and whether the connection was closed.
/// </summary>
public sealed class Http2Probe : IDisposable
{
    private readonly Socket _socket;
    private readonly Task _reader;
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _rsts = [];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _goAway = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _pingAck = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int HeadersReceived { get; private set; }
    public int PingAcks { get; private set; }
    public int SettingsAcks { get; private set; }
    public string? GoAwayCode { get; private set; }
    public bool Closed => _closed.Task.IsCompleted;
    public bool SendFailed { get; private set; }

    private Http2Probe(Socket socket)
    {
        _socket = socket;
        _reader = Task.Factory.StartNew(Read, TaskCreationOptions.LongRunning);
    }

    public static Http2Probe Open(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendTimeout = 10_000 };
        socket.Connect(IPAddress.Loopback, port);
        var probe = new Http2Probe(socket);
        probe.Send([.. Http2Wire.Preface, .. Http2Wire.Frame(Http2Wire.Settings, 0, 0, [])]);
        return probe;
    }

    /// <summary>Sends, and notes (rather than throws) a connection the server has closed or stopped reading.</summary>
    public bool Send(byte[] bytes)
    {
        if (SendFailed)
            return false;
        try
        {
            int sent = 0;
            while (sent < bytes.Length)
                sent += _socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            SendFailed = true;
            return false;
        }
    }

    /// <summary>Sends frames in batches of about 16 KiB; false once the connection took no more.</summary>
    public bool SendAll(IEnumerable<byte[]> frames)
    {
        var batch = new List<byte>(20_000);
        foreach (byte[] frame in frames)
        {
            batch.AddRange(frame);
            if (batch.Count >= 16_384)
            {
                if (!Send([.. batch]))
                    return false;
                batch.Clear();
            }
        }
        return batch.Count == 0 || Send([.. batch]);
    }

    /// <summary>Waits until the server has handled all that was sent (it acks a PING after it),
    /// sent GOAWAY, or closed; false when none of these came before the hang guard.</summary>
    public bool Settle(TimeSpan guard)
    {
        TaskCompletionSource ack;
        lock (_gate)
            ack = _pingAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var payload = new byte[8];
        payload[0] = 0x5a; // told apart from the flood's own pings
        if (!Send(Http2Wire.Frame(Http2Wire.Ping, 0, 0, payload)))
            return _closed.Task.Wait(guard) || GoAwayCode is not null;
        return Task.WaitAny([ack.Task, _closed.Task, _goAway.Task], guard) >= 0;
    }

    public bool WaitClosed(TimeSpan guard) => _closed.Task.Wait(guard);

    /// <summary>What came back, for the table: e.g. "GOAWAY ENHANCE_YOUR_CALM, 3 RST REFUSED_STREAM, closed".</summary>
    public string Answer()
    {
        var parts = new List<string>();
        lock (_gate)
        {
            if (HeadersReceived > 0)
                parts.Add($"{HeadersReceived} HEADERS");
            parts.AddRange(_rsts.Select(r => $"{r.Value} RST {r.Key}"));
        }
        if (PingAcks > 0)
            parts.Add($"{PingAcks} PING acks");
        if (SettingsAcks > 1)
            parts.Add($"{SettingsAcks} SETTINGS acks");
        if (GoAwayCode is not null)
            parts.Add($"GOAWAY {GoAwayCode}");
        if (Closed)
            parts.Add("closed");
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
    }

    private void Read()
    {
        var head = new byte[9];
        try
        {
            while (ReadExactly(head))
            {
                int length = head[0] << 16 | head[1] << 8 | head[2];
                var payload = new byte[length];
                if (!ReadExactly(payload))
                    break;
                byte type = head[3], flags = head[4];
                lock (_gate)
                {
                    switch (type)
                    {
                        case Http2Wire.Headers:
                            HeadersReceived++;
                            break;
                        case Http2Wire.RstStream when length >= 4:
                            string code = ErrorName(BinaryPrimitives.ReadUInt32BigEndian(payload));
                            _rsts[code] = _rsts.GetValueOrDefault(code) + 1;
                            break;
                        case Http2Wire.Ping when (flags & Http2Wire.Ack) != 0:
                            PingAcks++;
                            if (payload.Length == 8 && payload[0] == 0x5a)
                                _pingAck.TrySetResult();
                            break;
                        case Http2Wire.Settings when (flags & Http2Wire.Ack) != 0:
                            SettingsAcks++;
                            break;
                        case Http2Wire.GoAway when length >= 8:
                            GoAwayCode ??= ErrorName(BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)));
                            _goAway.TrySetResult();
                            break;
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _closed.TrySetResult();
    }

    private bool ReadExactly(byte[] buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = _socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
            if (n == 0)
                return false;
            filled += n;
        }
        return true;
    }

    private static string ErrorName(uint code) => code switch
    {
        0 => "NO_ERROR", 1 => "PROTOCOL_ERROR", 2 => "INTERNAL_ERROR", 3 => "FLOW_CONTROL_ERROR", 6 => "FRAME_SIZE_ERROR",
        7 => "REFUSED_STREAM", 8 => "CANCEL", 9 => "COMPRESSION_ERROR", 11 => "ENHANCE_YOUR_CALM", _ => $"0x{code:x}",
    };

    public void Dispose()
    {
        _socket.Dispose();
        _reader.Wait(TimeSpan.FromSeconds(10));
    }
}
