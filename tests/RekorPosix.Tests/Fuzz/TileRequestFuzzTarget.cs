using System.Text;
using RekorPosix.Http.TileServer;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Fuzz;

/// <summary>
/// The tile listener's request parser as a connection drives it: <see cref="RequestParser.TryParse"/>
/// on what the input buffer holds (at most the head limit), <see cref="ReadRoute.TryParse(ReadOnlySpan{byte}, out ReadRoute)"/>
/// on the target of each parsed head, then the next pipelined request after it; and the parser
/// once more on the whole input, longer than any buffer. Under the shipped limits and under tight
/// ones, so that the limits are reached by small inputs too. Beyond "no exception, no hang":
/// <list type="bullet">
/// <item>a complete head lies inside the input and the head limit, ends with its blank line, and
/// its path is a slice of visible ASCII of the request line, without '?' or '#';</item>
/// <item>a route that parses is canonical: the bytes after the prefix are exactly the checkpoint's
/// or the tile's own relative path, a plain file under the log directory (no "..", "//", '%',
/// '\', NUL, dot-file, temp file or <c>.state</c>);</item>
/// <item>a refusal carries a status the listener documents (400, 413, 414, 431, 505: never a
/// 500) and that it has a reason phrase for; "wait for more" carries none;</item>
/// <item>the parser is deterministic, and online: a prefix of the input gives "wait for more" or
/// exactly what the whole input gives, so what has arrived so far never decides differently.</item>
/// </list>
/// </summary>
public static class TileRequestFuzzTarget
{
    /// <summary>The statuses <see cref="RequestParser"/> may refuse a head with (README, "Reading the log").</summary>
    private static readonly int[] RefusalStatuses = [400, 413, 414, 431, 505];

    /// <summary>What a path under the log that is served must never contain.</summary>
    private static readonly string[] ForbiddenInPath = ["..", "//", "%", "\\", "\0", ".state", ".tmp"];

    private const string LogRoot = "/srv/rekor/log";

    private static readonly TileListenerLimits[] LimitSets =
    [
        TileListenerLimits.Default,
        new() { MaxRequestLine = 64, MaxHeadBytes = 256, MaxHeaders = 4 },
    ];

    /// <summary>HTTP pieces for the mutator to insert, besides its generic ones.</summary>
    public static IReadOnlyList<byte[]> Tokens { get; } =
    [
        .. new[]
        {
            "GET ", "HEAD ", "POST ", " HTTP/1.1", " HTTP/1.0", " HTTP/2.0", "\r\n", "\r\n\r\n", "\n\n",
            "Host: a\r\n", "Content-Length: 0\r\n", "Content-Length: ", "Transfer-Encoding: chunked\r\n",
            "Connection: close\r\n", "Connection: keep-alive\r\n", "/api/v2/", "/tile/", "tile/", "entries/",
            "checkpoint", ".p/", "x001/", "000", "255", "256", "?", "#", "%2e", "%2f", "%00", "/./", "/../",
            ".state/treeState", ".tmp.1", "*", "http://a", ": ", " :", "\t", "\r",
        }.Select(Encoding.ASCII.GetBytes),
    ];

    public static IReadOnlyList<byte[]> Seeds() =>
    [
        .. FuzzCorpus.Load("tile-request"),
        // Every tile path of the tile-path target, as a GET at the root and a HEAD under /api/v2.
        .. TilePathFuzzTarget.Seeds().SelectMany(path => new[]
        {
            Encoding.ASCII.GetBytes($"GET /{Encoding.ASCII.GetString(path)} HTTP/1.1\r\nHost: a\r\n\r\n"),
            Encoding.ASCII.GetBytes($"HEAD /api/v2/{Encoding.ASCII.GetString(path)} HTTP/1.1\r\nHost: a\r\n\r\n"),
        }),
    ];

    public static void Run(byte[] input)
    {
        foreach (var limits in LimitSets)
        {
            Parse(input, limits);
            Serve(input, limits);
        }
    }

    /// <summary>The connection's loop: parse what fits in the input buffer, answer it, go on with
    /// the pipelined rest. A refusal closes the connection; so does a full buffer with no head in
    /// it (414 or 431, the connection's own); otherwise it waits for more.</summary>
    private static void Serve(byte[] input, in TileListenerLimits limits)
    {
        int offset = 0;
        while (offset < input.Length)
        {
            var buffered = input.AsSpan(offset, Math.Min(input.Length - offset, limits.MaxHeadBytes));
            var (result, head, _) = Parse(buffered, limits);
            if (result != ParseResult.Complete)
                return;
            offset += head.Length;
        }
    }

    private static (ParseResult Result, RequestHead Head, int Status) Parse(ReadOnlySpan<byte> input, in TileListenerLimits limits)
    {
        var result = RequestParser.TryParse(input, limits, out var head, out int status);
        var again = RequestParser.TryParse(input, limits, out var headAgain, out int statusAgain);
        if (again != result || statusAgain != status || !Same(head, headAgain))
            throw Finding(input, $"not deterministic: {result}/{status} then {again}/{statusAgain}");

        switch (result)
        {
            case ParseResult.Complete:
                CheckComplete(input, limits, head, status);
                break;
            case ParseResult.Invalid:
                if (!RefusalStatuses.Contains(status))
                    throw Finding(input, $"refused with {status}, which the tile listener does not use");
                ResponseHeads.Reason(status);
                break;
            case ParseResult.Incomplete:
                if (status != 0)
                    throw Finding(input, $"incomplete with status {status}");
                break;
            default:
                throw Finding(input, $"unknown result {result}");
        }
        CheckPrefixes(input, limits, result, head, status);
        return (result, head, status);
    }

    private static void CheckComplete(ReadOnlySpan<byte> input, in TileListenerLimits limits, in RequestHead head, int status)
    {
        if (status != 0)
            throw Finding(input, $"complete with status {status}");
        if (head.Length <= 0 || head.Length > input.Length || head.Length > limits.MaxHeadBytes)
            throw Finding(input, $"head of {head.Length} bytes in an input of {input.Length} (limit {limits.MaxHeadBytes})");
        var whole = input[..head.Length];
        if (!whole.EndsWith("\n\n"u8) && !whole.EndsWith("\n\r\n"u8))
            throw Finding(input, "the head does not end with a blank line");
        if (head.PathStart < 0 || head.PathLength < 0 || head.PathStart + head.PathLength > head.Length)
            throw Finding(input, $"path at {head.PathStart}+{head.PathLength} outside the head of {head.Length} bytes");
        if (head.IsGet && head.IsHead)
            throw Finding(input, "both GET and HEAD");
        if (head.AnnounceKeepAlive && !head.KeepAlive)
            throw Finding(input, "announces a keep-alive it does not keep");

        var path = input.Slice(head.PathStart, head.PathLength);
        foreach (byte b in path)
        {
            if (b is <= 0x20 or >= 0x7F or (byte)'?' or (byte)'#')
                throw Finding(input, $"path holds byte 0x{b:x2}");
        }
        if (!head.IsRead)
            return; // 405
        if (path.IsEmpty || path[0] != (byte)'/')
            throw Finding(input, "a read whose path is not origin-form");
        CheckRoute(input, path);
    }

    /// <summary>A route that parses names one file, by its one spelling, under the log directory.</summary>
    private static void CheckRoute(ReadOnlySpan<byte> input, ReadOnlySpan<byte> path)
    {
        bool parsed = ReadRoute.TryParse(path, out var route);
        string text = Encoding.ASCII.GetString(path);
        if (ReadRoute.TryParse(text.AsSpan(), out var fromChars) != parsed || (parsed && fromChars != route))
            throw Finding(input, $"\"{text}\": the byte and char grammars disagree");
        if (!parsed)
            return; // 404

        string relative = Encoding.ASCII.GetString(path[ReadRoute.RelativeStart(path)..]);
        if (text != "/" + relative && text != ReadRoute.ApiPrefix + "/" + relative)
            throw Finding(input, $"\"{text}\": \"{relative}\" is not what follows the prefix");
        string canonical = route.IsCheckpoint ? "checkpoint" : route.Tile.ToPath();
        if (relative != canonical)
            throw Finding(input, $"\"{text}\" serves \"{relative}\", not the canonical \"{canonical}\"");
        if (ForbiddenInPath.FirstOrDefault(relative.Contains) is { } bad)
            throw Finding(input, $"\"{text}\" serves a path holding \"{bad}\"");
        if (relative.Split('/').Any(segment => segment.Length == 0 || segment[0] == '.'))
            throw Finding(input, $"\"{text}\" serves an empty segment or a dot-file");
        if (relative != "checkpoint" && !relative.StartsWith("tile/", StringComparison.Ordinal))
            throw Finding(input, $"\"{text}\" serves \"{relative}\", neither the checkpoint nor under tile/");
        string full = Path.GetFullPath(relative, LogRoot);
        if (full != LogRoot + "/" + relative)
            throw Finding(input, $"\"{text}\" resolves to {full}, not under {LogRoot} as written");
    }

    /// <summary>The parser sees whatever has arrived: a prefix must wait for more, or decide just as
    /// the whole input does. Cut one byte short of a complete head, and at two places picked from
    /// the input itself (the same input always gets the same cuts).</summary>
    private static void CheckPrefixes(ReadOnlySpan<byte> input, in TileListenerLimits limits, ParseResult result, in RequestHead head, int status)
    {
        if (input.IsEmpty)
            return;
        uint hash = Fnv(input);
        Span<int> cuts = [(int)(hash % (uint)input.Length), (int)((hash >> 16) % (uint)Math.Min(input.Length, 600)), result == ParseResult.Complete ? head.Length - 1 : 0];
        foreach (int cut in cuts)
        {
            var prefixResult = RequestParser.TryParse(input[..cut], limits, out var prefixHead, out int prefixStatus);
            if (prefixResult == ParseResult.Incomplete && prefixStatus == 0)
                continue;
            if (prefixResult != result || prefixStatus != status || (result == ParseResult.Complete && !Same(prefixHead, head)))
                throw Finding(input, $"the first {cut} bytes give {prefixResult}/{prefixStatus} (head {prefixHead.Length}), all {input.Length} give {result}/{status} (head {head.Length})");
        }
    }

    private static bool Same(in RequestHead a, in RequestHead b) =>
        a.Length == b.Length && a.IsGet == b.IsGet && a.IsHead == b.IsHead && a.PathStart == b.PathStart
        && a.PathLength == b.PathLength && a.KeepAlive == b.KeepAlive && a.AnnounceKeepAlive == b.AnnounceKeepAlive;

    /// <summary>FNV-1a of the length and the first 256 bytes: cheap, and stable across runs.</summary>
    private static uint Fnv(ReadOnlySpan<byte> input)
    {
        uint hash = 2166136261 ^ (uint)input.Length;
        foreach (byte b in input[..Math.Min(input.Length, 256)])
            hash = (hash ^ b) * 16777619;
        return hash;
    }

    private static InvalidOperationException Finding(ReadOnlySpan<byte> input, string what)
    {
        var shown = new StringBuilder();
        foreach (byte b in input[..Math.Min(input.Length, 160)])
            shown.Append(b is >= 0x20 and < 0x7F and not (byte)'\\' ? (char)b : $"\\x{b:x2}");
        return new InvalidOperationException($"{what}; input ({input.Length} bytes): {shown}");
    }
}
