using System.Globalization;
using RekorPosix.Log.Entries;
using RekorPosix.Verification;

namespace RekorPosix.Monitoring;

/// <summary>
/// What the monitor reports (<c>--watch FILE</c>): one rule per line, fields separated by blanks,
/// <c>#</c> starting a comment line, blank lines ignored.
/// <list type="bullet">
/// <item><c>san IDENTITY [issuer URL]</c>: a certificate whose SubjectAlternativeName holds exactly
/// IDENTITY (an email, a URI, or Fulcio's username), issued for exactly that OIDC issuer if given.</item>
/// <item><c>key HEX</c>: a key (bare, or in a certificate) whose DER SubjectPublicKeyInfo has this
/// SHA-256 (64 hex digits, <c>sha256:</c> in front allowed).</item>
/// <item><c>digest ALG:HEX</c>: an entry logging this artifact digest; ALG is sha256, sha384,
/// sha512, sha3-256 or sha3-384.</item>
/// </list>
/// Identities and issuers compare exactly (no case folding, no patterns); hex is case-insensitive.
/// A rule given twice counts once (its first line). A line that is none of these is an error naming its number.
/// </summary>
internal sealed class WatchList
{
    private const int MaxLineInMessage = 80;

    private readonly Dictionary<string, List<(string? Issuer, WatchRule Rule)>> _identities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WatchRule> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WatchRule> _digests = new(StringComparer.Ordinal);

    public static WatchList Empty { get; } = new();

    public int Count { get; private set; }

    /// <exception cref="MonitorInputException">The file cannot be read or a line is not a rule.</exception>
    public static WatchList Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MonitorInputException($"--watch {path}: {e.Message}", e);
        }
        try
        {
            return Parse(text);
        }
        catch (FormatException e)
        {
            throw new MonitorInputException($"--watch {path}: {e.Message}", e);
        }
    }

    /// <exception cref="FormatException">A line is not a rule ("line N: …").</exception>
    public static WatchList Parse(string text)
    {
        var list = new WatchList();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string? problem = list.Add(i + 1, fields);
            if (problem is not null)
                throw new FormatException($"line {i + 1}: {problem}: \"{BoundedText.Of(line, MaxLineInMessage)}\"");
        }
        return list;
    }

    /// <summary>The rules the entry matches, in the order identity, key, digest; empty for most entries.</summary>
    public List<WatchRule> Match(LoggedEntry entry)
    {
        var matched = new List<WatchRule>();
        if (Count == 0)
            return matched;
        foreach (var signer in entry.Signers)
        {
            if (signer.Certificate is { } certificate)
                MatchIdentities(certificate, matched);
            if (_keys.Count > 0 && _keys.TryGetValue(signer.KeySha256Hex, out var key) && !matched.Contains(key))
                matched.Add(key);
        }
        if (_digests.Count > 0 && _digests.TryGetValue(entry.Digest.Text, out var digest))
            matched.Add(digest);
        return matched;
    }

    private void MatchIdentities(CertificateIdentity certificate, List<WatchRule> matched)
    {
        foreach (string name in certificate.SubjectAlternativeNames)
        {
            if (!_identities.TryGetValue(name, out var rules))
                continue;
            foreach (var (issuer, rule) in rules)
            {
                if ((issuer is null || issuer == certificate.Issuer) && !matched.Contains(rule))
                    matched.Add(rule);
            }
        }
    }

    /// <summary>Adds the rule the fields spell; returns what is wrong with them instead, if anything.</summary>
    private string? Add(int line, string[] fields)
    {
        switch (fields[0])
        {
            case "san" when fields.Length == 2 || (fields.Length == 4 && fields[2] == "issuer"):
                string? issuer = fields.Length == 4 ? fields[3] : null;
                var rule = new WatchRule(line, issuer is null ? $"san {fields[1]}" : $"san {fields[1]} issuer {issuer}");
                if (!_identities.TryGetValue(fields[1], out var rules))
                    _identities[fields[1]] = rules = [];
                if (!rules.Exists(r => r.Issuer == issuer))
                    rules.Add((issuer, rule));
                break;
            case "san":
                return "expected san IDENTITY [issuer URL]";
            case "key" when fields.Length == 2:
                string? key = Hex(fields[1].StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? fields[1][7..] : fields[1], 32);
                if (key is null)
                    return "expected key and the SHA-256 of a DER SubjectPublicKeyInfo in 64 hex digits";
                _keys.TryAdd(key, new WatchRule(line, $"key {key}"));
                break;
            case "digest" when fields.Length == 2:
                if (ParseDigest(fields[1]) is not { } digest)
                    return "expected digest ALG:HEX with ALG one of " + string.Join(", ", EntryDigestAlgorithm.All.Select(a => a.Name)) + " and HEX of its length";
                _digests.TryAdd(digest, new WatchRule(line, $"digest {digest}"));
                break;
            default:
                return "not a rule (san IDENTITY [issuer URL], key HEX, or digest ALG:HEX)";
        }
        Count++;
        return null;
    }

    private static string? ParseDigest(string field)
    {
        int colon = field.IndexOf(':');
        if (colon < 0 || EntryDigestAlgorithm.FromName(field[..colon].ToLowerInvariant()) is not { } algorithm)
            return null;
        return Hex(field[(colon + 1)..], algorithm.Size) is { } hex ? $"{algorithm.Name}:{hex}" : null;
    }

    /// <summary>Lowercase hex of exactly <paramref name="bytes"/> bytes, or null.</summary>
    private static string? Hex(string text, int bytes) =>
        text.Length == 2 * bytes && text.All(char.IsAsciiHexDigit) ? text.ToLower(CultureInfo.InvariantCulture) : null;
}
