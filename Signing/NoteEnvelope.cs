namespace RekorPosix.Signing;

/// <summary>A parsed, unverified signed note: the text (ending in a newline) and its signature lines in order.</summary>
public sealed record NoteEnvelope(string Text, IReadOnlyList<NoteSignature> Signatures);
