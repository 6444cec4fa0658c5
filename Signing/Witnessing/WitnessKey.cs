using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// A witness's cosignature verifier key, <c>&lt;name&gt;+&lt;key ID&gt;+&lt;base64(type ‖ key)&gt;</c>
/// (https://c2sp.org/signed-note, https://c2sp.org/tlog-cosignature). Type 0x04 is an Ed25519
/// cosignature/v1 key; a plain Ed25519 note key (0x01) is taken as the same key, its ID recomputed
/// with 0x04, as tessera does for policies written with one. Type 0x06 is an ML-DSA-44 cosignature
/// key (1312 bytes). <see cref="Type"/> is 0x04 or 0x06, the type <see cref="KeyId"/> is computed with.
/// </summary>
public sealed record WitnessKey(string Name, uint KeyId, byte[] PublicKey, byte Type = WitnessKey.CosignatureType)
{
    public const byte Ed25519Type = 0x01;
    public const byte CosignatureType = 0x04;
    public const byte MlDsa44Type = 0x06;

    /// <exception cref="FormatException">Malformed, of another type, or its key ID does not match.</exception>
    public static WitnessKey Parse(string vkey)
    {
        var text = VerifierKeyText.Parse(vkey);
        (string name, uint keyId, byte type) = (text.Name, text.KeyId, text.Type);
        byte[] key = text.Key.ToArray();
        switch (type)
        {
            case CosignatureType or Ed25519Type when key.Length == 32:
                ThrowIfNotAPoint(name, key);
                break;
            case CosignatureType or Ed25519Type:
                throw new FormatException($"verifier key of {name}: an Ed25519 key has 32 bytes, not {key.Length}");
            case MlDsa44Type when key.Length == SubtreeCosignature.PublicKeySize:
                break;
            case MlDsa44Type:
                throw new FormatException($"verifier key of {name}: an ML-DSA-44 key has {SubtreeCosignature.PublicKeySize} bytes, not {key.Length}");
            default:
                throw new FormatException($"verifier key of {name}: type 0x{type:x2} is not a cosignature key (0x04 or 0x06)");
        }
        if (IdOf(name, type, key) != keyId)
            throw new FormatException($"verifier key of {name}: key ID {keyId:x8} does not match the key (expected {IdOf(name, type, key):x8})");
        byte kept = type == MlDsa44Type ? MlDsa44Type : CosignatureType;
        return new WitnessKey(name, IdOf(name, kept, key), key, kept);
    }

    /// <summary>The verifier of this witness's cosignature lines on a checkpoint.</summary>
    public INoteVerifier CreateVerifier() => Type == MlDsa44Type ? new MlDsaCosignatureVerifier(this) : new CosignatureVerifier(this);

    // BouncyCastle decodes the point when a verifier is made: a bad key is refused here, with the
    // policy line that gave it, rather than when the first checkpoint is checked.
    private static void ThrowIfNotAPoint(string name, byte[] key)
    {
        try
        {
            _ = new Ed25519PublicKeyParameters(key);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"verifier key of {name}: the Ed25519 key is not a point on the curve", e);
        }
    }

    /// <summary>The first four bytes of SHA-256(name ‖ "\n" ‖ type ‖ key), big-endian.</summary>
    public static uint IdOf(string name, byte type, ReadOnlySpan<byte> key)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] input = [.. nameBytes, (byte)'\n', type, .. key];
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }
}
