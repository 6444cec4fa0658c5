using RekorPosix.Signing;

namespace RekorPosix.Tests.Support;

/// <summary>The tessera test log's key, ready to sign checkpoints for its origin.</summary>
public static class TestLogKey
{
    /// <summary>A 0600 copy, as the signer key loaders require.</summary>
    public static string PemPath => PrivateKeyCopy.Of("tessera-log-key.pem");

    public static LogSigningKey Load() => LogSigningKey.Load(PemPath);

    public static Func<string, string> SignNote()
    {
        var signer = Load().CreateNoteSigner(TestData.TesseraOrigin);
        return text => SignedNote.Sign(text, [signer]);
    }

    /// <summary>The log's checkpoint signer for the tessera origin, verifying with its public key.</summary>
    public static RekorPosix.Log.CheckpointSigner Signer() => RekorPosix.Log.CheckpointSigner.For(Load(), TestData.TesseraOrigin);

    public static INoteVerifier Verifier() => NoteVerifiers.FromVerifierKey(TestData.TesseraVkey);
}
