namespace RekorPosix.Signing;

/// <summary>One signature line of a signed note: key name, key ID and the signature bytes after the ID.</summary>
public sealed record NoteSignature(string Name, uint KeyId, byte[] Signature);
