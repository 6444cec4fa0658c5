using RekorPosix.Log.Entries;

namespace RekorPosix.Monitoring;

/// <summary>Entries checked, by what they turned out to be.</summary>
internal sealed class EntryTally
{
    public long HashedRekord { get; private set; }
    public long Dsse { get; private set; }
    public long Malformed { get; private set; }
    public long Matches { get; private set; }

    public long Total => HashedRekord + Dsse + Malformed;

    public void Count(EntryFinding? finding, LoggedEntry? entry)
    {
        if (entry is null)
            Malformed++;
        else if (entry.Kind == LoggedEntryParser.Dsse)
            Dsse++;
        else
            HashedRekord++;
        if (finding is { Entry: not null })
            Matches++;
    }

    public void Add(EntryTally other)
    {
        HashedRekord += other.HashedRekord;
        Dsse += other.Dsse;
        Malformed += other.Malformed;
        Matches += other.Matches;
    }
}
