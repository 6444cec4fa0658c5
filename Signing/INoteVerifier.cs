namespace RekorPosix.Signing;

/// <summary>A public key that checks C2SP signed-note signatures.</summary>
public interface INoteVerifier
{
    /// <summary>Key name expected in the signature line.</summary>
    string Name { get; }

    /// <summary>Key ID expected in front of the signature.</summary>
    uint KeyId { get; }

    /// <summary>Checks a signature (without its key ID prefix) over the UTF-8 note text.</summary>
    bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);
}
