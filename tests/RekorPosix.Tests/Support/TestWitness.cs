using Org.BouncyCastle.Crypto.Parameters;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;

namespace RekorPosix.Tests.Support;

/// <summary>Witness cosigners made in the test: Ed25519 (cosignature/v1) or ML-DSA-44.</summary>
public static class TestWitness
{
    public static Cosigner Ed25519(string name, TimeProvider clock) => LogSigningKey.GenerateEd25519().CreateCosigner(name, clock);

    /// <summary>An ML-DSA-44 cosigner whose key comes from a seed of <paramref name="fill"/> bytes.</summary>
    public static MlDsaCosigner MlDsa44(string name, TimeProvider clock, byte fill = 1) =>
        new(name, MLDsaPrivateKeyParameters.FromSeed(MLDsaParameters.ml_dsa_44, Enumerable.Repeat(fill, 32).ToArray()), clock);

    /// <summary>The checkpoint note signed by the tessera test log key, then cosigned by each cosigner.</summary>
    public static string Cosigned(string checkpointText, params INoteSigner[] cosigners) =>
        TestLogKey.SignNote()(checkpointText) + string.Concat(cosigners.Select(c => SignedNote.SignatureLine(c, checkpointText)));
}
