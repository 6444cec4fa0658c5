using System.Globalization;
using System.Text;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// The body of a tlog-witness <c>add-checkpoint</c> request (https://c2sp.org/tlog-witness): the size
/// the log believes the witness is at, the consistency proof from that size, and the checkpoint note
/// with its signatures. Both the log's client and our witness use this one form.
/// </summary>
public sealed record AddCheckpointRequest(long OldSize, IReadOnlyList<byte[]> Proof, byte[] Checkpoint)
{
    /// <summary>The path under a witness's submission prefix.</summary>
    public const string Path = "add-checkpoint";

    /// <summary>A 409 with this content type tells the witness's size, as "&lt;size&gt;\n".</summary>
    public const string SizeContentType = "text/x.tlog.size";

    /// <summary>The spec caps a proof at 63 hashes, enough for any tree of 2^63 leaves.</summary>
    public const int MaxProofHashes = 63;

    public byte[] Format()
    {
        var head = new StringBuilder("old ").Append(OldSize.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (byte[] hash in Proof)
            head.Append(Convert.ToBase64String(hash)).Append('\n');
        head.Append('\n');
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. Checkpoint];
    }

    /// <exception cref="FormatException">The body is not an add-checkpoint request; the message says why.</exception>
    public static AddCheckpointRequest Parse(ReadOnlySpan<byte> body)
    {
        int at = 0;
        string first = NextLine(body, ref at) ?? throw new FormatException("the body does not start with an \"old <size>\" line");
        long oldSize = ParseOldSize(first);
        var proof = new List<byte[]>();
        while (NextLine(body, ref at) is { } line)
        {
            if (line.Length == 0)
                return new AddCheckpointRequest(oldSize, proof, body[at..].ToArray());
            if (proof.Count == MaxProofHashes)
                throw new FormatException($"the proof has more than {MaxProofHashes} hashes");
            proof.Add(ParseHash(line, proof.Count + 1));
        }
        throw new FormatException("no empty line before the checkpoint");
    }

    /// <summary>The size in a 409's <see cref="SizeContentType"/> body, or null when it is not one.</summary>
    public static long? ParseSize(string body)
    {
        string trimmed = body.EndsWith('\n') ? body[..^1] : body;
        return IsDecimal(trimmed) && long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out long size)
            ? size
            : null;
    }

    private static long ParseOldSize(string line)
    {
        if (!line.StartsWith("old ", StringComparison.Ordinal))
            throw new FormatException("the body does not start with an \"old <size>\" line");
        string digits = line[4..];
        if (!IsDecimal(digits) || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long size))
            throw new FormatException($"the old size \"{digits}\" is not a decimal number");
        return size;
    }

    private static byte[] ParseHash(string line, int number)
    {
        var hash = new byte[32];
        // Exactly 44 characters of padded base64 for 32 bytes; Convert alone would skip spaces.
        if (line.Length != 44 || line.Any(char.IsWhiteSpace) || !Convert.TryFromBase64String(line, hash, out int written) || written != 32)
            throw new FormatException($"proof line {number} is not a base64 SHA-256 hash");
        return hash;
    }

    // Canonical decimal: digits only, no sign, no leading zero (except "0").
    private static bool IsDecimal(string s) =>
        s.Length is > 0 and <= 19 && s.All(char.IsAsciiDigit) && (s.Length == 1 || s[0] != '0');

    // An ASCII line without its '\n', or null when no '\n' is left.
    private static string? NextLine(ReadOnlySpan<byte> body, ref int at)
    {
        int end = body[at..].IndexOf((byte)'\n');
        if (end < 0)
            return null;
        var line = body.Slice(at, end);
        at += end + 1;
        foreach (byte b in line)
        {
            if (b is < 0x20 or > 0x7e)
                throw new FormatException("a line before the checkpoint holds a byte that is not printable ASCII");
        }
        return Encoding.ASCII.GetString(line);
    }
}
