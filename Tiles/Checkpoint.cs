using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RekorPosix.Tiles;

/// <summary>
/// A tlog-checkpoint note body: origin, tree size, base64 root hash and optional extension lines,
/// each ending in '\n'. Signature lines are not part of it.
/// </summary>
public sealed record Checkpoint(string Origin, long Size, byte[] RootHash, IReadOnlyList<string> Extensions)
{
    /// <summary>The most a signed checkpoint note is read as: even 100 ML-DSA-44 cosignature lines are about 330 kB.</summary>
    public const int MaxNoteBytes = 1 << 20;

    /// <summary>Standard padded base64 of 32 bytes.</summary>
    private const int RootBase64Length = 44;

    public Checkpoint(string origin, long size, byte[] rootHash) : this(origin, size, rootHash, [])
    {
    }

    /// <summary>The note text. Throws if the fields would not parse back to the same checkpoint.</summary>
    public string Format()
    {
        if (Validate(Origin, Size, RootHash, Extensions) is { } problem)
            throw new InvalidOperationException($"Cannot format checkpoint: {problem}");
        var text = new StringBuilder();
        text.Append(Origin).Append('\n');
        text.Append(Size.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        text.Append(Convert.ToBase64String(RootHash)).Append('\n');
        foreach (var line in Extensions)
            text.Append(line).Append('\n');
        return text.ToString();
    }

    public static Checkpoint Parse(string text)
    {
        if (TryParse(text, out var checkpoint, out var problem))
            return checkpoint;
        throw new FormatException($"Malformed checkpoint: {problem}");
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out Checkpoint? checkpoint) =>
        TryParse(text, out checkpoint, out _);

    private static bool TryParse(string? text, [NotNullWhen(true)] out Checkpoint? checkpoint, out string problem)
    {
        checkpoint = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = "the text is empty.";
            return false;
        }
        if (text[^1] != '\n')
        {
            problem = "the last line does not end with a newline.";
            return false;
        }
        var lines = text[..^1].Split('\n');
        if (lines.Length < 3)
        {
            problem = $"expected at least 3 lines (origin, size, root hash), got {lines.Length}.";
            return false;
        }
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                problem = $"line {i + 1} is empty (a signed note must be split off before parsing).";
                return false;
            }
        }
        if (!TryParseSize(lines[1], out long size))
        {
            problem = "the tree size is not a decimal number without sign or leading zeros that fits 63 bits.";
            return false;
        }
        if (!TryParseRoot(lines[2], out var root))
        {
            problem = "the root hash is not canonical standard base64 of 32 bytes.";
            return false;
        }
        checkpoint = new Checkpoint(lines[0], size, root, lines[3..]);
        problem = "";
        return true;
    }

    private static bool TryParseSize(string text, out long size)
    {
        size = 0;
        if (text.Length == 0 || (text[0] == '0' && text.Length > 1))
            return false;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
                return false;
            int digit = c - '0';
            if (size > (long.MaxValue - digit) / 10)
                return false;
            size = size * 10 + digit;
        }
        return true;
    }

    /// <summary>
    /// Only the one spelling <see cref="Convert.ToBase64String(byte[])"/> produces: Convert.FromBase64String
    /// alone would also take whitespace and non-zero padding bits.
    /// </summary>
    private static bool TryParseRoot(string text, [NotNullWhen(true)] out byte[]? root)
    {
        root = null;
        if (text.Length != RootBase64Length)
            return false;
        var bytes = new byte[Rfc6962.HashSize];
        if (!Convert.TryFromBase64String(text, bytes, out int written) || written != Rfc6962.HashSize)
            return false;
        if (Convert.ToBase64String(bytes) != text)
            return false;
        root = bytes;
        return true;
    }

    private static string? Validate(string origin, long size, byte[] root, IReadOnlyList<string> extensions)
    {
        if (string.IsNullOrEmpty(origin) || origin.Contains('\n'))
            return "the origin must be a non-empty single line.";
        if (size < 0)
            return "the size must not be negative.";
        if (root is not { Length: Rfc6962.HashSize })
            return $"the root hash must be {Rfc6962.HashSize} bytes.";
        if (extensions is null)
            return "extensions must not be null.";
        foreach (var line in extensions)
        {
            if (string.IsNullOrEmpty(line) || line.Contains('\n'))
                return "extension lines must be non-empty single lines.";
        }
        return null;
    }

    // Records compare arrays by reference; a checkpoint is a value, so compare contents.
    public bool Equals(Checkpoint? other) =>
        other is not null
        && Origin == other.Origin
        && Size == other.Size
        && RootHash.AsSpan().SequenceEqual(other.RootHash)
        && Extensions.SequenceEqual(other.Extensions);

    public override int GetHashCode() => HashCode.Combine(Origin, Size, Convert.ToHexString(RootHash));
}
