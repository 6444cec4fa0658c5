using System.Buffers.Binary;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Signing.Witnessing;

public class MlDsaCosignatureVerifierTests
{
    private const long Now = 1767225600; // 2026-01-01T00:00:00Z
    private const string Text = "example.com/log/testdata\n15\nmlZoRus8uMPYu6eg4zWWLr1kWfQKc+YUyMSHJ5rWyAk=\n";

    private static readonly MlDsaCosigner Witness = TestWitness.MlDsa44("witness.example/ml", FixedClock.At(Now));

    private static INoteVerifier Verifier(string vkey) => WitnessKey.Parse(vkey).CreateVerifier();

    private static bool Verifies(INoteVerifier verifier, string text, byte[] signature) =>
        verifier.Verify(Encoding.UTF8.GetBytes(text), signature);

    [Fact]
    public void ASignatureMadeByAnotherImplementation_Verifies()
    {
        // @noble/post-quantum's pure ML-DSA-44 (empty context) over a hand-assembled cosigned_message
        // (testdata/witnessing/make-mldsa44.mjs): BouncyCastle must agree on both.
        string vkey = File.ReadAllText(TestData.PathOf("witnessing/mldsa44-witness.vkey")).Trim();
        string note = File.ReadAllText(TestData.PathOf("witnessing/mldsa44-cosigned.note"));

        Assert.Equal(Text, SignedNote.Open(note, [Verifier(vkey)]));
        Assert.Equal((ulong)Now, SubtreeCosignature.TimestampOf(SignedNote.Parse(note).Signatures[0].Signature));
    }

    [Fact]
    public void RoundTrip_ACosignerLine_VerifiesUnderItsVerifierKey()
    {
        var verifier = Verifier(Witness.VerifierKey);
        string note = Text + "\n" + SignedNote.SignatureLine(Witness, Text);

        Assert.IsType<MlDsaCosignatureVerifier>(verifier);
        Assert.Equal(Text, SignedNote.Open(note, [verifier]));
    }

    [Fact]
    public void ExtensionLines_AreNotCovered()
    {
        byte[] signature = Witness.Sign(Encoding.UTF8.GetBytes(Text));

        Assert.True(Verifies(Verifier(Witness.VerifierKey), Text + "an extension line\n", signature));
    }

    [Fact]
    public void ATamperedSignatureOrTimestamp_IsRefused()
    {
        var verifier = Verifier(Witness.VerifierKey);
        byte[] signature = Witness.Sign(Encoding.UTF8.GetBytes(Text));
        byte[] badSignature = (byte[])signature.Clone();
        badSignature[100] ^= 1;
        byte[] badTimestamp = (byte[])signature.Clone();
        badTimestamp[7] ^= 1;

        Assert.True(Verifies(verifier, Text, signature));
        Assert.False(Verifies(verifier, Text, badSignature));
        Assert.False(Verifies(verifier, Text, badTimestamp));
    }

    [Theory]
    [InlineData("example.com/log/testdata\n15\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")] // another root
    [InlineData("example.com/log/testdata\n16\nmlZoRus8uMPYu6eg4zWWLr1kWfQKc+YUyMSHJ5rWyAk=\n")] // another size
    [InlineData("example.com/log/other\n15\nmlZoRus8uMPYu6eg4zWWLr1kWfQKc+YUyMSHJ5rWyAk=\n")] // another origin
    [InlineData("not a checkpoint\n")]
    public void AnotherCheckpoint_IsRefused(string other)
    {
        byte[] signature = Witness.Sign(Encoding.UTF8.GetBytes(Text));

        Assert.False(Verifies(Verifier(Witness.VerifierKey), other, signature));
    }

    [Fact]
    public void TheSameKeyUnderAnotherName_IsRefused()
    {
        // Unlike cosignature/v1, the message binds the cosigner's name.
        var renamed = TestWitness.MlDsa44("witness.example/other", FixedClock.At(Now));
        byte[] signature = Witness.Sign(Encoding.UTF8.GetBytes(Text));

        Assert.Equal(Witness.PublicKey, renamed.PublicKey);
        Assert.False(Verifies(Verifier(renamed.VerifierKey), Text, signature));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(SubtreeCosignature.SignatureSize - 1)]
    [InlineData(SubtreeCosignature.SignatureSize + 1)]
    [InlineData(CosignatureV1.SignatureSize)]
    public void ASignatureOfAnotherLength_IsRefused(int length)
    {
        byte[] signature = Witness.Sign(Encoding.UTF8.GetBytes(Text));
        byte[] resized = new byte[length];
        signature.AsSpan(0, Math.Min(length, signature.Length)).CopyTo(resized);

        Assert.False(Verifies(Verifier(Witness.VerifierKey), Text, resized));
    }

    [Fact]
    public void ATimestampAbove2Pow63Minus1_IsRefused_EvenWellSigned()
    {
        const ulong late = 1UL << 63;
        byte[] seed = Enumerable.Repeat((byte)1, 32).ToArray(); // TestWitness.MlDsa44's key
        var signer = new MLDsaSigner(MLDsaParameters.ml_dsa_44, deterministic: true);
        signer.Init(true, MLDsaPrivateKeyParameters.FromSeed(MLDsaParameters.ml_dsa_44, seed));
        signer.BlockUpdate(SubtreeCosignature.Message(Witness.Name, late, Checkpoint.Parse(Text)));
        byte[] signature = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(signature, late);

        Assert.False(Verifies(Verifier(Witness.VerifierKey), Text, [.. signature, .. signer.GenerateSignature()]));
    }

    [Fact]
    public void AnEd25519Key_IsNotAnMlDsaVerifier()
    {
        var ed25519 = WitnessKey.Parse(TestWitness.Ed25519("w", FixedClock.At(Now)).VerifierKey);

        Assert.Throws<ArgumentException>(() => new MlDsaCosignatureVerifier(ed25519));
    }
}
