using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace RekorPosix.Signing;

/// <summary>
/// Pure Ed25519 verification by BouncyCastle, which rejects S ≥ L and non-canonical point encodings,
/// so a malleated copy of a valid signature does not verify.
/// </summary>
internal sealed class Ed25519NoteVerifier(string name, uint keyId, Ed25519PublicKeyParameters key) : INoteVerifier
{
    public string Name { get; } = name;

    public uint KeyId { get; } = keyId;

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == Ed25519.SignatureSize && key.Verify(Ed25519.Algorithm.Ed25519, null, message, signature);
}
