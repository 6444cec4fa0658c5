using System.Text;

namespace RekorPosix.Http.TileServer;

/// <summary>
/// A strict HTTP/1.0 and 1.1 request-head parser (RFC 9112) for a server that takes no bodies:
/// one request line of single-space-separated parts, header lines of token, colon and visible
/// bytes, CRLF or a lone LF as line end. Whatever else reaches it (bare CR, NUL, folded lines,
/// space before the colon, duplicate Host or Content-Length, a body) is refused with the status
/// the RFC names, and the parser never reads beyond the limits it is given.
/// </summary>
internal static class RequestParser
{
    private const int MaxMethodLength = 16;

    /// <summary>Looks for one request head at the start of <paramref name="input"/>.</summary>
    /// <param name="status">For <see cref="ParseResult.Invalid"/>: the status to answer.</param>
    public static ParseResult TryParse(ReadOnlySpan<byte> input, in TileListenerLimits limits, out RequestHead head, out int status)
    {
        head = default;
        status = 0;

        // RFC 9112 §2.2: empty lines before a request line are ignored (some clients send one after a body).
        int start = 0;
        while (start < input.Length && (input[start] == (byte)'\n' || (input[start] == (byte)'\r' && start + 1 < input.Length && input[start + 1] == (byte)'\n')))
            start += input[start] == (byte)'\r' ? 2 : 1;

        int lineEnd = input[start..].IndexOf((byte)'\n');
        if (lineEnd < 0)
            return Refuse(input.Length - start > limits.MaxRequestLine ? 414 : 0, out status);
        if (lineEnd > limits.MaxRequestLine)
            return Refuse(414, out status);
        if (!TryParseRequestLine(TrimCr(input.Slice(start, lineEnd)), start, limits, ref head, out bool http10, out status))
            return ParseResult.Invalid;

        int position = start + lineEnd + 1;
        int headers = 0;
        int hosts = 0;
        bool close = false, keepAlive = false, sawLength = false;
        while (true)
        {
            int end = input[position..].IndexOf((byte)'\n');
            if (end < 0)
                return Refuse(input.Length > limits.MaxHeadBytes ? 431 : 0, out status);
            if (position + end + 1 > limits.MaxHeadBytes)
                return Refuse(431, out status);
            var line = TrimCr(input.Slice(position, end));
            position += end + 1;
            if (line.IsEmpty)
                break;
            if (++headers > limits.MaxHeaders)
                return Refuse(431, out status);
            if (!TrySplitHeader(line, out var name, out var value))
                return Refuse(400, out status);

            if (Ascii.EqualsIgnoreCase(name, "Host"u8))
            {
                hosts++;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                // Only an empty body is taken; two lengths could disagree (request smuggling).
                if (sawLength || !IsDigits(value))
                    return Refuse(400, out status);
                sawLength = true;
                if (value.TrimStart((byte)'0').Length > 0)
                    return Refuse(413, out status);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                return Refuse(400, out status);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                ReadConnectionTokens(value, ref close, ref keepAlive);
            }
        }

        // RFC 9112 §3.2: exactly one Host in HTTP/1.1; at most one in 1.0.
        if (hosts > 1 || (hosts == 0 && !http10))
            return Refuse(400, out status);
        head.Length = position;
        head.KeepAlive = http10 ? keepAlive && !close : !close;
        head.AnnounceKeepAlive = http10 && head.KeepAlive;
        return ParseResult.Complete;
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, int offset, in TileListenerLimits limits, ref RequestHead head, out bool http10, out int status)
    {
        http10 = false;
        status = 400;
        int firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0 || firstSpace > MaxMethodLength || !IsToken(line[..firstSpace]))
            return false;
        var method = line[..firstSpace];
        var rest = line[(firstSpace + 1)..];
        int secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0)
            return false; // HTTP/0.9, or two spaces in a row
        var target = rest[..secondSpace];
        var version = rest[(secondSpace + 1)..];

        if (version.SequenceEqual("HTTP/1.1"u8))
        {
        }
        else if (version.SequenceEqual("HTTP/1.0"u8))
        {
            http10 = true;
        }
        else
        {
            status = version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5])
                && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7]) ? 505 : 400;
            return false;
        }

        if (target.Length > limits.MaxRequestLine)
        {
            status = 414;
            return false;
        }
        foreach (byte b in target)
        {
            // Visible ASCII only; '#' never travels in a request (RFC 9112 §3.2).
            if (b is <= 0x20 or >= 0x7F or (byte)'#')
                return false;
        }

        head.IsGet = method.SequenceEqual("GET"u8);
        head.IsHead = method.SequenceEqual("HEAD"u8);
        if (head.IsRead && target[0] != (byte)'/')
            return false; // absolute-form and the rest: only origin-form names a file here
        int query = target.IndexOf((byte)'?');
        head.PathStart = offset + firstSpace + 1;
        head.PathLength = query < 0 ? target.Length : query;
        status = 0;
        return true;
    }

    /// <summary>Splits "name: value", refusing what RFC 9112 §5 tells a server to refuse.</summary>
    private static bool TrySplitHeader(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        int colon = line.IndexOf((byte)':');
        // A missing colon, an empty name, a folded line or white space before the colon.
        name = colon > 0 ? line[..colon] : default;
        if (colon <= 0 || !IsToken(name))
            return false;
        value = line[(colon + 1)..].Trim(" \t"u8);
        foreach (byte b in value)
        {
            if (b < 0x20 && b != (byte)'\t' || b == 0x7F)
                return false; // bare CR, NUL and other controls
        }
        return true;
    }

    private static void ReadConnectionTokens(ReadOnlySpan<byte> value, ref bool close, ref bool keepAlive)
    {
        foreach (var range in value.Split((byte)','))
        {
            var token = value[range].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(token, "close"u8))
                close = true;
            else if (Ascii.EqualsIgnoreCase(token, "keep-alive"u8))
                keepAlive = true;
        }
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;

    private static bool IsToken(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
            return false;
        foreach (byte b in text)
        {
            if (!IsTokenChar(b))
                return false;
        }
        return true;
    }

    /// <summary>tchar of RFC 9110 §5.6.2.</summary>
    private static bool IsTokenChar(byte b) =>
        char.IsAsciiLetterOrDigit((char)b) || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&'
            or (byte)'\'' or (byte)'*' or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`'
            or (byte)'|' or (byte)'~';

    private static bool IsDigits(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.Length > 19)
            return false;
        foreach (byte b in text)
        {
            if (!char.IsAsciiDigit((char)b))
                return false;
        }
        return true;
    }

    /// <summary>Status 0 means "not yet": the limits still allow more input.</summary>
    private static ParseResult Refuse(int status, out int result)
    {
        result = status;
        return status == 0 ? ParseResult.Incomplete : ParseResult.Invalid;
    }
}
