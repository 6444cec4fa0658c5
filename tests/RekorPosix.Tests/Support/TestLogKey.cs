using RekorPosix.Signing;

namespace RekorPosix.Tests.Support;

/// <summary>The tessera test log's key, ready to sign checkpoints for its origin.</summary>
public static class TestLogKey
{
    public static string PemPath => TestData.PathOf("tessera-log-key.pem");

    public static LogSigningKey Load() => LogSigningKey.Load(PemPath);

    public static Func<string, string> SignNote()
    {
        var signer = Load().CreateNoteSigner(TestData.TesseraOrigin);
        return text => SignedNote.Sign(text, [signer]);
    }

    public static INoteVerifier Verifier() => NoteVerifiers.FromVerifierKey(TestData.TesseraVkey);
}
