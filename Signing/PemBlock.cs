namespace RekorPosix.Signing;

/// <summary>
/// The first PEM block of a text (RFC 7468, plus the RFC 1421 headers that legacy encrypted keys carry).
/// Only the first block counts: like the Go server, later blocks are ignored.
/// </summary>
internal sealed class PemBlock
{
    private PemBlock(string label, IReadOnlyDictionary<string, string> headers, byte[] data)
    {
        Label = label;
        Headers = headers;
        Data = data;
    }

    /// <summary>The type between "BEGIN " and the dashes, e.g. "PRIVATE KEY".</summary>
    internal string Label { get; }

    /// <summary>"Name: value" lines before the base64 body (empty for RFC 7468 blocks).</summary>
    internal IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The decoded body.</summary>
    internal byte[] Data { get; }

    /// <exception cref="KeyFileException">No PEM block, or the first one is malformed.</exception>
    internal static PemBlock ReadFirst(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int begin = Array.FindIndex(lines, l => l.StartsWith("-----BEGIN ", StringComparison.Ordinal));
        if (begin < 0)
        {
            throw new KeyFileException("no PEM block found (expected a line \"-----BEGIN ...-----\")");
        }

        string beginLine = lines[begin].TrimEnd();
        if (!beginLine.EndsWith("-----", StringComparison.Ordinal) || beginLine.Length <= "-----BEGIN ".Length + "-----".Length)
        {
            throw new KeyFileException($"malformed PEM BEGIN line: {beginLine}");
        }

        string label = beginLine["-----BEGIN ".Length..^"-----".Length];
        string endLine = $"-----END {label}-----";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var body = new System.Text.StringBuilder();
        bool inHeaders = true;
        for (int i = begin + 1; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith("-----", StringComparison.Ordinal))
            {
                if (line != endLine)
                {
                    throw new KeyFileException($"PEM block {label} ends with \"{line}\" instead of \"{endLine}\"");
                }

                return new PemBlock(label, headers, DecodeBody(label, body.ToString()));
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (inHeaders && colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                continue;
            }

            inHeaders = false;
            body.Append(line);
        }

        throw new KeyFileException($"PEM block {label} is truncated: no \"{endLine}\" line");
    }

    private static byte[] DecodeBody(string label, string base64)
    {
        var buffer = new byte[(base64.Length / 4 * 3) + 3];
        if (base64.Length == 0 || base64.Length % 4 != 0 || !Convert.TryFromBase64String(base64, buffer, out int written))
        {
            throw new KeyFileException($"PEM block {label} does not contain valid base64 data");
        }

        return buffer[..written];
    }
}
