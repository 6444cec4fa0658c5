using RekorPosix.Log.Entries;

namespace RekorPosix.Monitoring;

/// <summary>
/// An entry worth a report line: one that matches watch rules (<see cref="Entry"/> and
/// <see cref="Rules"/> set), or one that does not parse (<see cref="Problem"/> set).
/// </summary>
internal sealed record EntryFinding(long Index, LoggedEntry? Entry, IReadOnlyList<WatchRule> Rules, string? Problem)
{
    public static EntryFinding Match(long index, LoggedEntry entry, IReadOnlyList<WatchRule> rules) => new(index, entry, rules, null);

    public static EntryFinding Malformed(long index, string problem) => new(index, null, [], problem);
}
