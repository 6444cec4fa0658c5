namespace RekorPosix.Signing.Witnessing;

/// <summary>A named part of a witness policy: a witness, or a k-of-n group of earlier parts.</summary>
public abstract record PolicyNode(string Name)
{
    /// <summary>Whether this part holds, given which witnesses cosigned.</summary>
    public abstract bool IsSatisfied(Func<PolicyWitness, bool> cosigned);
}

/// <summary>A witness: its cosignature key and the URL prefix the log submits checkpoints under.</summary>
public sealed record PolicyWitness(string Name, WitnessKey Key, Uri? Url) : PolicyNode(Name)
{
    public override bool IsSatisfied(Func<PolicyWitness, bool> cosigned) => cosigned(this);
}

/// <summary>At least <see cref="Threshold"/> of <see cref="Members"/>.</summary>
public sealed record PolicyGroup(string Name, int Threshold, IReadOnlyList<PolicyNode> Members) : PolicyNode(Name)
{
    public override bool IsSatisfied(Func<PolicyWitness, bool> cosigned) => Members.Count(m => m.IsSatisfied(cosigned)) >= Threshold;
}

/// <summary>
/// A witness policy file as tessera reads it (https://c2sp.org/tlog-policy, the Sigsum policy
/// format): <c>witness NAME VKEY URL</c>, <c>group NAME k|any|all MEMBER…</c>, <c>quorum NAME|none</c>,
/// <c>log …</c> ignored, <c>#</c> comments. Stricter where tlog-policy is: names defined before
/// use, each member once per group, 1 ≤ k ≤ n, exactly one quorum, no key twice. The URL is
/// required where a log submits to it (tessera's rule), optional where a client only verifies
/// (tlog-policy's), and one per witness.
/// </summary>
public sealed class WitnessPolicy
{
    private static readonly HashSet<string> Reserved = ["witness", "group", "any", "all", "none", "quorum", "log"];

    private WitnessPolicy(PolicyNode? quorum) => Quorum = quorum;

    /// <summary>What must cosign; null for <c>quorum none</c>.</summary>
    public PolicyNode? Quorum { get; }

    /// <summary>The witnesses the quorum names, each once, in the order the file gives them.</summary>
    public IReadOnlyList<PolicyWitness> Witnesses => Quorum is null ? [] : Reachable(Quorum).Distinct().ToList();

    /// <summary>Whether the witnesses that cosigned make the quorum (always, with <c>quorum none</c>).</summary>
    public bool IsSatisfiedBy(Func<PolicyWitness, bool> cosigned) => Quorum?.IsSatisfied(cosigned) ?? true;

    /// <param name="requireUrls">False for a policy that is only verified against, whose
    /// witnesses may come without a submission URL.</param>
    /// <exception cref="FormatException">The first line it refuses, by number, and why.</exception>
    public static WitnessPolicy Parse(string text, bool requireUrls = true)
    {
        var parser = new Parser(requireUrls);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            try
            {
                parser.Line(lines[i]);
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {i + 1}: {e.Message}", e);
            }
        }
        return parser.Finish();
    }

    private static IEnumerable<PolicyWitness> Reachable(PolicyNode node) => node switch
    {
        PolicyWitness w => [w],
        PolicyGroup g => g.Members.SelectMany(Reachable),
        _ => [],
    };

    /// <summary>The file's state line by line: what is defined so far, and the quorum once given.</summary>
    private sealed class Parser(bool requireUrls)
    {
        private readonly Dictionary<string, PolicyNode> _defined = [];
        private readonly HashSet<(string, uint)> _keys = [];
        private readonly Dictionary<string, string> _urls = [];
        private PolicyNode? _quorum;
        private bool _quorumGiven;

        public void Line(string line)
        {
            string[] fields = Fields(line);
            if (fields.Length == 0)
                return;
            switch (fields[0])
            {
                case "log":
                    return;
                case "witness":
                    Witness(fields);
                    return;
                case "group":
                    Group(fields);
                    return;
                case "quorum":
                    Quorum(fields);
                    return;
                default:
                    throw new FormatException($"unknown keyword \"{fields[0]}\" (expected log, witness, group or quorum)");
            }
        }

        public WitnessPolicy Finish() => _quorumGiven
            ? new WitnessPolicy(_quorum)
            : throw new FormatException("no quorum line: say which witnesses must cosign (quorum NAME), or quorum none");

        /// <summary>The line without its comment, split at spaces and tabs; other control characters are refused.</summary>
        private static string[] Fields(string line)
        {
            int hash = line.IndexOf('#');
            string content = (hash >= 0 ? line[..hash] : line).TrimEnd('\r');
            foreach (char c in content)
            {
                if (c != '\t' && char.IsControl(c))
                    throw new FormatException($"control character U+{(int)c:X4}");
            }
            return content.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        }

        private void Witness(string[] fields)
        {
            if (fields.Length == 3 && requireUrls)
                throw new FormatException($"witness {fields[1]} has no URL: the log must know where to submit its checkpoints");
            if (fields.Length is not (3 or 4))
                throw new FormatException("expected: witness NAME VKEY URL");
            string name = NewName(fields[1]);
            var key = WitnessKey.Parse(fields[2]);
            if (!_keys.Add((key.Name, key.KeyId)))
                throw new FormatException($"witness {name}: its key is given twice");
            _defined[name] = new PolicyWitness(name, key, fields.Length == 4 ? Url(name, fields[3]) : null);
        }

        private Uri Url(string name, string text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Query.Length > 0 || url.Fragment.Length > 0)
                throw new FormatException($"witness {name}: \"{text}\" is not an http(s) URL prefix");
            if (_urls.TryGetValue(url.AbsoluteUri, out string? other))
                throw new FormatException($"witness {name}: its URL is witness {other}'s too");
            _urls[url.AbsoluteUri] = name;
            return url;
        }

        private void Group(string[] fields)
        {
            if (fields.Length < 4)
                throw new FormatException("expected: group NAME k|any|all MEMBER...");
            string name = NewName(fields[1]);
            var members = new List<PolicyNode>();
            foreach (string member in fields[3..])
            {
                var node = Defined(member);
                if (members.Contains(node))
                    throw new FormatException($"group {name}: {member} is a member twice");
                members.Add(node);
            }
            int threshold = fields[2] switch
            {
                "any" => 1,
                "all" => members.Count,
                _ when int.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int k) => k,
                _ => throw new FormatException($"group {name}: \"{fields[2]}\" is not a count, any or all"),
            };
            if (threshold < 1 || threshold > members.Count)
                throw new FormatException($"group {name}: {threshold} of {members.Count} members cannot be required (1 to {members.Count})");
            _defined[name] = new PolicyGroup(name, threshold, members);
        }

        private void Quorum(string[] fields)
        {
            if (fields.Length != 2)
                throw new FormatException("expected: quorum NAME, or quorum none");
            if (_quorumGiven)
                throw new FormatException("a second quorum line");
            _quorum = fields[1] == "none" ? null : Defined(fields[1]);
            _quorumGiven = true;
        }

        private string NewName(string name)
        {
            if (Reserved.Contains(name))
                throw new FormatException($"\"{name}\" is a keyword, not a name");
            if (_defined.ContainsKey(name))
                throw new FormatException($"{name} is defined twice");
            return name;
        }

        private PolicyNode Defined(string name) => _defined.TryGetValue(name, out var node)
            ? node
            : throw new FormatException($"{name} is not defined (on an earlier line)");
    }
}
