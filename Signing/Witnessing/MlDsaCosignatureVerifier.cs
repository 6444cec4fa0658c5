using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using RekorPosix.Tiles;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// Checks a witness's ML-DSA-44 cosignature line on a checkpoint (<see cref="SubtreeCosignature"/>),
/// as an <see cref="INoteVerifier"/> like <see cref="CosignatureVerifier"/>. The note text it is
/// given is parsed as a checkpoint, since the signature covers its fields, not its text.
/// </summary>
public sealed class MlDsaCosignatureVerifier : INoteVerifier
{
    private readonly MLDsaPublicKeyParameters _key;

    /// <exception cref="ArgumentException">The key is not a 1312-byte ML-DSA-44 key.</exception>
    public MlDsaCosignatureVerifier(WitnessKey key)
    {
        if (key.Type != WitnessKey.MlDsa44Type || key.PublicKey.Length != SubtreeCosignature.PublicKeySize)
            throw new ArgumentException($"{key.Name} is not an ML-DSA-44 cosignature key", nameof(key));
        _key = MLDsaPublicKeyParameters.FromEncoding(MLDsaParameters.ml_dsa_44, key.PublicKey);
        Key = key;
    }

    public WitnessKey Key { get; }

    public string Name => Key.Name;

    public uint KeyId => Key.KeyId;

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (SubtreeCosignature.TimestampOf(signature) is not { } timestamp || timestamp > CosignatureV1.MaxTimestamp)
            return false;
        if (!Checkpoint.TryParse(Encoding.UTF8.GetString(message), out var checkpoint))
            return false;
        if (SubtreeCosignature.Message(Name, timestamp, checkpoint) is not { } signed)
            return false;
        // Pure ML-DSA with an empty context (FIPS 204 §5.3), as the spec's "ML-DSA-44 signature" means:
        // ml_dsa_44 is BouncyCastle's non-pre-hash parameter set, and no ParametersWithContext is given.
        var verifier = new MLDsaSigner(MLDsaParameters.ml_dsa_44, deterministic: true);
        verifier.Init(false, _key);
        verifier.BlockUpdate(signed);
        return verifier.VerifySignature(signature[SubtreeCosignature.TimestampSize..].ToArray());
    }
}
