namespace RekorPosix.Log.Entries;

/// <summary>What the monitor and the search index read from one entry: its kind, the digest it logs and who signed it.</summary>
/// <param name="Kind">hashedrekord or dsse (both v0.0.2).</param>
internal sealed record LoggedEntry(string Kind, EntryDigest Digest, IReadOnlyList<EntrySigner> Signers);
