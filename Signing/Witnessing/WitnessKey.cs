using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// A witness's cosignature verifier key, <c>&lt;name&gt;+&lt;key ID&gt;+&lt;base64(type ‖ key)&gt;</c>
/// (https://c2sp.org/signed-note, https://c2sp.org/tlog-cosignature). Type 0x04 is an Ed25519
/// cosignature/v1 key; a plain Ed25519 note key (0x01) is taken as the same key, its ID recomputed
/// with 0x04, as tessera does for policies written with one. ML-DSA-44 (0x06) is refused until the
/// log can verify it.
/// </summary>
public sealed record WitnessKey(string Name, uint KeyId, byte[] PublicKey)
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
                break;
            case CosignatureType or Ed25519Type:
                throw new FormatException($"verifier key of {name}: an Ed25519 key has 32 bytes, not {key.Length}");
            case MlDsa44Type:
                throw new FormatException($"verifier key of {name}: ML-DSA-44 cosignatures (type 0x06) are not supported; give the witness's Ed25519 cosignature key (type 0x04)");
            default:
                throw new FormatException($"verifier key of {name}: type 0x{type:x2} is not a cosignature key (0x04)");
        }
        if (IdOf(name, type, key) != keyId)
            throw new FormatException($"verifier key of {name}: key ID {keyId:x8} does not match the key (expected {IdOf(name, type, key):x8})");
        return new WitnessKey(name, IdOf(name, CosignatureType, key), key);
    }

    /// <summary>The verifier of this witness's cosignature lines on a checkpoint.</summary>
    public INoteVerifier CreateVerifier() => new CosignatureVerifier(this);

    /// <summary>The first four bytes of SHA-256(name ‖ "\n" ‖ type ‖ key), big-endian.</summary>
    public static uint IdOf(string name, byte type, ReadOnlySpan<byte> key)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] input = [.. nameBytes, (byte)'\n', type, .. key];
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }
}
