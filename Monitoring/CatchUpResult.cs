namespace RekorPosix.Monitoring;

/// <summary>What catching up to a checkpoint found: every finding in index order, and the tally of the entries checked.</summary>
internal sealed record CatchUpResult(VerifiedCheckpoint Checkpoint, IReadOnlyList<EntryFinding> Findings, EntryTally Tally);
