namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// The logs a witness cosigns for, from its <c>--logs</c> file: one log verifier key per line (any
/// type <see cref="NoteVerifiers.FromVerifierKey"/> takes), blank lines and <c>#</c> comment lines
/// ignored. A key's name is the log's origin; a log may have several keys (a rotation in progress),
/// and a checkpoint is trusted when one of its origin's keys signed it (https://c2sp.org/signed-note).
/// </summary>
public sealed class WitnessedLogs
{
    private readonly Dictionary<string, List<INoteVerifier>> _byOrigin;

    private WitnessedLogs(Dictionary<string, List<INoteVerifier>> byOrigin) => _byOrigin = byOrigin;

    public IReadOnlyCollection<string> Origins => _byOrigin.Keys;

    /// <summary>The keys of the log with this origin, or null when it is not witnessed.</summary>
    public IReadOnlyList<INoteVerifier>? VerifiersOf(string origin) => _byOrigin.GetValueOrDefault(origin);

    /// <param name="source">The file's name, for messages.</param>
    /// <exception cref="FormatException">"<c>FILE line N: ...</c>": a line is not a log verifier key,
    /// repeats a key, or the file lists no log.</exception>
    public static WitnessedLogs Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var byOrigin = new Dictionary<string, List<INoteVerifier>>(StringComparer.Ordinal);
        var firstSeen = new Dictionary<(string, uint), int>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            var verifier = Key(line, source, i + 1);
            if (!firstSeen.TryAdd((verifier.Name, verifier.KeyId), i + 1))
                throw new FormatException($"{source} line {i + 1}: the key {verifier.Name}+{verifier.KeyId:x8} is listed already on line {firstSeen[(verifier.Name, verifier.KeyId)]}");
            if (!byOrigin.TryGetValue(verifier.Name, out var keys))
                byOrigin[verifier.Name] = keys = [];
            keys.Add(verifier);
        }
        if (byOrigin.Count == 0)
            throw new FormatException($"{source} lists no log: give one log verifier key (<origin>+<key ID>+<key>) per line");
        return new WitnessedLogs(byOrigin);
    }

    private static INoteVerifier Key(string line, string source, int number)
    {
        try
        {
            return NoteVerifiers.FromVerifierKey(line);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{source} line {number}: {e.Message}", e);
        }
    }
}
