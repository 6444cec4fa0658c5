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
        AddLines(TestLogKey.SignNote()(checkpointText), cosigners);

    /// <summary>A signed note with each cosigner's line over its text added at the end, as a log
    /// merges what its witnesses return.</summary>
    public static string AddLines(string note, params INoteSigner[] cosigners)
    {
        string text = SignedNote.Parse(note).Text;
        return note + string.Concat(cosigners.Select(c => SignedNote.SignatureLine(c, text)));
    }

    /// <summary>The tessera test log's checkpoint (size 15), cosigned by an Ed25519 and an ML-DSA-44 witness.</summary>
    public static string CosignedTesseraCheckpoint() =>
        AddLines(File.ReadAllText(TestData.PathOf("tessera-log/checkpoint")),
            Ed25519("witness.example/ed", TimeProvider.System), MlDsa44("witness.example/ml", TimeProvider.System));

    /// <summary>A copy of the tessera test log in <paramref name="dir"/> whose checkpoint carries
    /// <paramref name="cosigners"/>' lines; returns the checkpoint note.</summary>
    public static string WriteCosignedTesseraLog(string dir, params INoteSigner[] cosigners)
    {
        TestData.CopyDirectory(TestData.PathOf("tessera-log"), dir);
        string note = AddLines(File.ReadAllText(Path.Combine(dir, "checkpoint")), cosigners);
        File.WriteAllText(Path.Combine(dir, "checkpoint"), note);
        return note;
    }
}
