namespace RekorPosix.Log.Antispam;

/// <summary>Where an added entry is in the log. <see cref="IsDuplicate"/> is true when an equal entry
/// was added before and <see cref="Index"/> is that first entry's index: nothing new was written.</summary>
public readonly record struct LogIndex(long Index, bool IsDuplicate);
