using System.Buffers.Binary;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// A witness's signing side of cosignature/v1: an Ed25519 key named for the witness, stamping each
/// cosignature with the clock's current second. As an <see cref="INoteSigner"/> it signs a
/// checkpoint text and returns timestamp ‖ signature, so a note line is made the usual way.
/// </summary>
public sealed class Cosigner : INoteSigner
{
    private readonly Ed25519PrivateKeyParameters _key;
    private readonly TimeProvider _clock;

    public Cosigner(string name, Ed25519PrivateKeyParameters key, TimeProvider clock)
    {
        NoteKeyName.ThrowIfInvalid(name, nameof(name));
        _key = key;
        _clock = clock;
        Name = name;
        PublicKey = key.GeneratePublicKey().GetEncoded();
        KeyId = WitnessKey.IdOf(name, WitnessKey.CosignatureType, PublicKey);
    }

    public string Name { get; }

    public uint KeyId { get; }

    public byte[] PublicKey { get; }

    /// <summary>The cosignature verifier key (type 0x04) a log's policy names this witness by.</summary>
    public string VerifierKey => $"{Name}+{KeyId:x8}+{Convert.ToBase64String([WitnessKey.CosignatureType, .. PublicKey])}";

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        ulong timestamp = (ulong)_clock.GetUtcNow().ToUnixTimeSeconds();
        var signature = new byte[CosignatureV1.SignatureSize];
        BinaryPrimitives.WriteUInt64BigEndian(signature, timestamp);
        byte[] signed = CosignatureV1.Message(message, timestamp);
        _key.Sign(Ed25519.Algorithm.Ed25519, null, signed, 0, signed.Length, signature, CosignatureV1.TimestampSize);
        return signature;
    }
}
