using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// Checks a witness's Ed25519 cosignature/v1 line on a checkpoint, as an <see cref="INoteVerifier"/>
/// so that <see cref="SignedNote.Open(string, IReadOnlyList{INoteVerifier})"/> takes log keys and
/// witness keys alike. BouncyCastle refuses malleated signatures (S ≥ L, non-canonical points).
/// </summary>
public sealed class CosignatureVerifier(WitnessKey key) : INoteVerifier
{
    private readonly Ed25519PublicKeyParameters _key = new(key.PublicKey);

    public WitnessKey Key { get; } = key;

    public string Name => Key.Name;

    public uint KeyId => Key.KeyId;

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (CosignatureV1.TimestampOf(signature) is not { } timestamp || timestamp > CosignatureV1.MaxTimestamp)
            return false;
        byte[] signed = CosignatureV1.Message(message, timestamp);
        return _key.Verify(Ed25519.Algorithm.Ed25519, null, signed, 0, signed.Length,
            signature[CosignatureV1.TimestampSize..].ToArray(), 0);
    }
}
