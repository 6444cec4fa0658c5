namespace RekorPosix.Signing;

/// <summary>A key that signs C2SP signed-note texts.</summary>
public interface INoteSigner
{
    /// <summary>Key name written in the signature line (for a log: its origin).</summary>
    string Name { get; }

    /// <summary>The 4-byte key ID written in front of every signature.</summary>
    uint KeyId { get; }

    /// <summary>Signs the UTF-8 note text (signature bytes only, without the key ID).</summary>
    byte[] Sign(ReadOnlySpan<byte> message);
}
