namespace RekorPosix.Bench;

/// <summary>What an attack got back: the answer for the table, and whether it is the one a sound
/// server gives (a 4xx, a GOAWAY, a close: never a 5xx for client garbage, never a hang).</summary>
public sealed record AttackOutcome(string Answer, bool AsExpected, string? Finding = null);

/// <summary>One attack: a name, what it sends (for the table), and the code that sends it.</summary>
public sealed record HostileAttack(string Name, string Sent, Func<AttackOutcome> Run);

/// <summary>Counts answers by kind, for a table cell like "431 closed x50".</summary>
public sealed class AnswerTally
{
    private readonly SortedDictionary<string, int> _answers = new(StringComparer.Ordinal);

    public void Add(string answer) => _answers[answer] = _answers.GetValueOrDefault(answer) + 1;

    public IEnumerable<string> Kinds => _answers.Keys;

    public override string ToString() => string.Join("; ", _answers.Select(a => a.Value == 1 ? a.Key : $"{a.Key} x{a.Value}"));
}
