using System.Buffers.Binary;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using RekorPosix.Tiles;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// A witness's signing side of the ML-DSA-44 cosignature (<see cref="SubtreeCosignature"/>): stamps
/// each cosignature of a checkpoint with the clock's current second. As an <see cref="INoteSigner"/>
/// it is given the checkpoint text and returns timestamp ‖ signature, so a note line is made the
/// usual way (<see cref="SignedNote.SignatureLine"/>).
/// </summary>
public sealed class MlDsaCosigner : INoteSigner
{
    private readonly MLDsaPrivateKeyParameters _key;
    private readonly TimeProvider _clock;

    /// <exception cref="ArgumentException">The name is not a note key name of at most 255 bytes, or the key is not ML-DSA-44.</exception>
    public MlDsaCosigner(string name, MLDsaPrivateKeyParameters key, TimeProvider clock)
    {
        NoteKeyName.ThrowIfInvalid(name, nameof(name));
        if (Encoding.UTF8.GetByteCount(name) > 255)
            throw new ArgumentException("an ML-DSA-44 cosigner name is at most 255 bytes", nameof(name));
        if (key.Parameters != MLDsaParameters.ml_dsa_44)
            throw new ArgumentException($"the key is {key.Parameters.Name}, not ML-DSA-44", nameof(key));
        _key = key;
        _clock = clock;
        Name = name;
        PublicKey = key.GetPublicKeyEncoded();
        KeyId = WitnessKey.IdOf(name, WitnessKey.MlDsa44Type, PublicKey);
    }

    public string Name { get; }

    public uint KeyId { get; }

    public byte[] PublicKey { get; }

    /// <summary>The verifier key (type 0x06) a policy names this witness by.</summary>
    public string VerifierKey => $"{Name}+{KeyId:x8}+{Convert.ToBase64String([WitnessKey.MlDsa44Type, .. PublicKey])}";

    /// <exception cref="FormatException">The message is not a checkpoint, or its origin is longer than 255 bytes.</exception>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var checkpoint = Checkpoint.Parse(Encoding.UTF8.GetString(message));
        ulong timestamp = (ulong)_clock.GetUtcNow().ToUnixTimeSeconds();
        byte[] signed = SubtreeCosignature.Message(Name, timestamp, checkpoint)
            ?? throw new FormatException("the checkpoint's origin is longer than 255 bytes");
        var signer = new MLDsaSigner(MLDsaParameters.ml_dsa_44, deterministic: false);
        signer.Init(true, _key);
        signer.BlockUpdate(signed);
        byte[] signature = signer.GenerateSignature();
        byte[] stamped = new byte[SubtreeCosignature.TimestampSize + signature.Length];
        BinaryPrimitives.WriteUInt64BigEndian(stamped, timestamp);
        signature.CopyTo(stamped, SubtreeCosignature.TimestampSize);
        return stamped;
    }
}
