using System.Buffers;
using RekorPosix.Http.ReadPath;
using RekorPosix.Interop;
using RekorPosix.Tiles;
using static RekorPosix.Interop.SocketCalls;

namespace RekorPosix.Http.TileServer;

/// <summary>
/// One client connection of the tile listener, driven by its worker's edge-triggered epoll: each
/// event runs <see cref="Drive"/>, which sends what is pending, then answers the next buffered
/// request, then reads, until a send or a receive would block. Requests are answered strictly in
/// order, one at a time, so pipelined requests need no queue. Buffers are rented only while
/// there is something in them: an idle keep-alive connection holds none.
/// </summary>
internal sealed unsafe class Connection(int fd, EpollWorker worker)
{
    // A client that is told "close" after an error may still be sending; reading for a moment
    // before closing keeps the kernel from resetting the connection over our answer (RFC 9112 §9.6).
    private const int LingerMs = 2000;
    private const int LingerMaxBytes = 64 * 1024;

    private byte[]? _in;
    private int _inStart;
    private int _inEnd;
    private byte[]? _out;
    private int _outStart;
    private int _outEnd;
    private byte[]? _body;
    private int _bodyStart;
    private int _fileFd = -1;
    private long _fileOffset;
    private long _fileEnd;
    private bool _closeAfterResponse;
    private bool _peerClosed;
    private bool _inRequest;
    private bool _lingering;
    private int _lingered;

    public int Fd => fd;

    /// <summary>When the worker's sweep closes this connection (Environment.TickCount64 ms).</summary>
    public long Deadline { get; private set; } = worker.Now + worker.IdleTimeoutMs;

    public bool IsClosed { get; private set; }

    public void OnEvents(uint events)
    {
        if ((events & (EPOLLERR | EPOLLHUP)) != 0)
            Close();
        else if (_lingering)
            Linger();
        else
            Drive();
    }

    /// <summary>Sends, answers and reads until something would block or the connection is gone.</summary>
    public void Drive()
    {
        while (!IsClosed)
        {
            if (!Flush())
                return;
            if (_closeAfterResponse)
            {
                StartLingering();
                return;
            }
            if (TryAnswerBuffered())
                continue;
            if (_peerClosed)
            {
                Close();
                return;
            }
            if (!Receive())
            {
                ReleaseIfIdle();
                return;
            }
        }
    }

    /// <summary>Answers the request at the head of the input, if it is all there.</summary>
    private bool TryAnswerBuffered()
    {
        if (_in is null || _inStart == _inEnd)
            return false;
        var input = new ReadOnlySpan<byte>(_in, _inStart, _inEnd - _inStart);
        switch (RequestParser.TryParse(input, worker.Limits, out var head, out int status))
        {
            case ParseResult.Complete:
                Answer(head, input.Slice(head.PathStart, head.PathLength));
                _inStart += head.Length;
                _inRequest = _inStart < _inEnd;
                if (_inRequest)
                    Deadline = worker.Now + worker.IdleTimeoutMs;
                return true;
            case ParseResult.Invalid:
                Refuse(status);
                return true;
            default:
                if (input.Length < worker.Limits.MaxHeadBytes)
                    return false;
                // A full buffer and still no end of head: the limits are what the buffer holds.
                Refuse(input.IndexOf((byte)'\n') < 0 ? 414 : 431);
                return true;
        }
    }

    private void Answer(in RequestHead head, ReadOnlySpan<byte> path)
    {
        var line = !head.KeepAlive ? ConnectionLine.Close : head.AnnounceKeepAlive ? ConnectionLine.KeepAlive : ConnectionLine.None;
        _closeAfterResponse = !head.KeepAlive;
        if (!head.IsRead)
        {
            WriteError(405, isHead: false, line);
            return;
        }
        if (!ReadRoute.TryParse(path, out var route))
        {
            WriteError(404, head.IsHead, line);
            return;
        }
        var result = worker.Files.Open(route, path[ReadRoute.RelativeStart(path)..]);
        if (result.Status != ReadStatus.Found)
        {
            WriteError(result.Status == ReadStatus.NotFound ? 404 : 500, head.IsHead, line);
            return;
        }
        _outEnd = ResponseHeads.WriteFound(RentOutput(), worker.Date.Line, result.Kind, result.Length, line);
        worker.ResponsesByStatus[200]++;
        if (head.IsHead)
        {
            if (result.Fd >= 0)
                FileCalls.Close(result.Fd);
        }
        else if (result.Body is { Length: > 0 } body)
        {
            _body = body;
            _bodyStart = 0;
        }
        else
        {
            _fileFd = result.Fd;
            _fileOffset = 0;
            _fileEnd = result.Length;
        }
    }

    private void Refuse(int status)
    {
        _closeAfterResponse = true;
        _inStart = _inEnd; // the rest of the input is not trusted to be a request
        WriteError(status, isHead: false, ConnectionLine.Close);
    }

    private void WriteError(int status, bool isHead, ConnectionLine line)
    {
        _outEnd = ResponseHeads.WriteError(RentOutput(), worker.Date.Line, status, isHead, line);
        worker.ResponsesByStatus[status]++;
    }

    private byte[] RentOutput()
    {
        _out ??= ArrayPool<byte>.Shared.Rent(ResponseHeads.MaxLength);
        _outStart = 0;
        return _out;
    }

    /// <summary>Sends the pending head, memory body and file range: head and memory body in one
    /// sendmsg, a file after them by sendfile (MSG_MORE holds the head back until it follows).
    /// False when a send would block or failed (then the connection is closed).</summary>
    private bool Flush()
    {
        IoVector* vectors = stackalloc IoVector[2];
        while (_outStart < _outEnd || _body is not null)
        {
            nint sent;
            fixed (byte* head = _out)
            fixed (byte* body = _body)
            {
                int count = 0;
                if (_outStart < _outEnd)
                    vectors[count++] = new IoVector { Base = head + _outStart, Length = (nuint)(_outEnd - _outStart) };
                if (_body is not null)
                    vectors[count++] = new IoVector { Base = body + _bodyStart, Length = (nuint)(_body.Length - _bodyStart) };
                var message = new MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
                sent = SendMsg(fd, &message, MSG_NOSIGNAL | (_fileFd >= 0 ? MSG_MORE : 0));
            }
            if (sent <= 0)
            {
                if (Retry(sent))
                    continue;
                return false;
            }
            Deadline = worker.Now + worker.IdleTimeoutMs;
            int fromHead = Math.Min((int)sent, _outEnd - _outStart);
            _outStart += fromHead;
            if (_body is not null)
            {
                _bodyStart += (int)sent - fromHead;
                if (_bodyStart == _body.Length)
                    _body = null;
            }
        }
        while (_fileFd >= 0)
        {
            long offset = _fileOffset;
            nint sent = SendFile(fd, _fileFd, &offset, (nuint)Math.Min(_fileEnd - _fileOffset, 1 << 30));
            if (sent == 0)
            {
                // The file shrank under us: the promised Content-Length cannot be kept.
                Close();
                return false;
            }
            if (sent < 0)
            {
                if (Retry(sent))
                    continue;
                return false;
            }
            Deadline = worker.Now + worker.IdleTimeoutMs;
            _fileOffset = offset;
            if (_fileOffset == _fileEnd)
                CloseFile();
        }
        return true;
    }

    /// <summary>After a send that moved nothing: true to try again (EINTR); false otherwise,
    /// with the connection closed unless the send only would block (then EPOLLOUT resumes it).</summary>
    private bool Retry(nint sent)
    {
        int errno = Errno.Last;
        if (sent < 0 && errno == Errno.EINTR)
            return true;
        if (sent == 0 || errno != Errno.EAGAIN)
            Close();
        return false;
    }

    /// <summary>Reads what has arrived. False when nothing more can be read now (would block, or
    /// the connection was closed on an error).</summary>
    private bool Receive()
    {
        _in ??= ArrayPool<byte>.Shared.Rent(worker.Limits.MaxHeadBytes);
        int capacity = worker.Limits.MaxHeadBytes;
        if (_inStart > 0)
        {
            Buffer.BlockCopy(_in, _inStart, _in, 0, _inEnd - _inStart);
            _inEnd -= _inStart;
            _inStart = 0;
        }
        while (true)
        {
            nint received;
            fixed (byte* p = _in)
                received = Recv(fd, p + _inEnd, (nuint)(capacity - _inEnd), 0);
            if (received > 0)
            {
                if (!_inRequest)
                {
                    _inRequest = true;
                    Deadline = worker.Now + worker.IdleTimeoutMs;
                }
                _inEnd += (int)received;
                return true;
            }
            if (received == 0)
            {
                _peerClosed = true;
                return true;
            }
            int errno = Errno.Last;
            if (errno == Errno.EINTR)
                continue;
            if (errno != Errno.EAGAIN)
                Close();
            return false;
        }
    }

    private void StartLingering()
    {
        _lingering = true;
        ReleaseBuffers();
        Shutdown(fd, SHUT_WR);
        Deadline = worker.Now + Math.Min(LingerMs, worker.IdleTimeoutMs);
        Linger();
    }

    /// <summary>Discards input until the client closes, too much arrives, or the deadline passes.</summary>
    private void Linger()
    {
        byte* scratch = stackalloc byte[4096];
        while (!IsClosed)
        {
            nint received = Recv(fd, scratch, 4096, 0);
            if (received > 0)
            {
                _lingered += (int)received;
                if (_lingered > LingerMaxBytes)
                    Close();
                continue;
            }
            if (received < 0 && Errno.Last == Errno.EINTR)
                continue;
            if (received == 0 || Errno.Last != Errno.EAGAIN)
                Close();
            return;
        }
    }

    private void ReleaseIfIdle()
    {
        if (_outStart == _outEnd && _out is not null)
        {
            ArrayPool<byte>.Shared.Return(_out);
            _out = null;
            _outStart = _outEnd = 0;
        }
        if (_inStart == _inEnd && _in is not null)
        {
            ArrayPool<byte>.Shared.Return(_in);
            _in = null;
            _inStart = _inEnd = 0;
        }
    }

    private void ReleaseBuffers()
    {
        _inStart = _inEnd = _outStart = _outEnd = 0;
        ReleaseIfIdle();
        _body = null;
        CloseFile();
    }

    private void CloseFile()
    {
        if (_fileFd >= 0)
        {
            FileCalls.Close(_fileFd);
            _fileFd = -1;
        }
    }

    /// <summary>Closes the socket and forgets the connection; safe to call twice.</summary>
    public void Close()
    {
        if (IsClosed)
            return;
        IsClosed = true;
        ReleaseBuffers();
        worker.Forget(this);
        FileCalls.Close(fd);
    }
}
