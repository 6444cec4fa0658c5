using System.Buffers.Binary;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Signing.Witnessing;

public class MlDsaCosignerTests
{
    private const string Text = "example.com/log/testdata\n15\nmlZoRus8uMPYu6eg4zWWLr1kWfQKc+YUyMSHJ5rWyAk=\n";

    [Fact]
    public void AKeyFromASeed_IsTheKeyAnotherImplementationDerives()
    {
        // make-mldsa44.mjs derived its key from the seed 00 01 .. 1f (FIPS 204 ML-DSA.KeyGen_internal).
        byte[] seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var cosigner = new MlDsaCosigner("witness.example/mldsa44",
            MLDsaPrivateKeyParameters.FromSeed(MLDsaParameters.ml_dsa_44, seed), TimeProvider.System);

        Assert.Equal(File.ReadAllText(TestData.PathOf("witnessing/mldsa44-witness.vkey")).Trim(), cosigner.VerifierKey);
    }

    [Fact]
    public void Sign_StampsTheClocksSecond_AndTheSignatureHasTheSpecsLength()
    {
        var cosigner = TestWitness.MlDsa44("w", FixedClock.At(1_700_000_000));

        byte[] signature = cosigner.Sign(Encoding.UTF8.GetBytes(Text));

        Assert.Equal(8 + 2420, signature.Length);
        Assert.Equal(1_700_000_000UL, BinaryPrimitives.ReadUInt64BigEndian(signature));
        Assert.Equal(1312, cosigner.PublicKey.Length);
        Assert.Equal(WitnessKey.IdOf("w", 0x06, cosigner.PublicKey), cosigner.KeyId);
    }

    [Fact]
    public void ANameOver255Bytes_OrAnotherParameterSet_IsRefused()
    {
        byte[] seed = new byte[32];

        Assert.Throws<ArgumentException>(() => TestWitness.MlDsa44(new string('n', 256), TimeProvider.System));
        Assert.Throws<ArgumentException>(() => new MlDsaCosigner("w",
            MLDsaPrivateKeyParameters.FromSeed(MLDsaParameters.ml_dsa_65, seed), TimeProvider.System));
    }

    [Fact]
    public void Sign_AMessageThatIsNotACheckpoint_Throws()
    {
        Assert.Throws<FormatException>(() => TestWitness.MlDsa44("w", TimeProvider.System).Sign("hello\n"u8));
    }

    [Fact]
    public void ItsLine_IsANoteSignatureLine()
    {
        string line = SignedNote.SignatureLine(TestWitness.MlDsa44("w", TimeProvider.System), Text);

        var signature = SignedNote.Parse(Text + "\n" + line).Signatures.Single();
        Assert.Equal(SubtreeCosignature.SignatureSize, signature.Signature.Length);
    }
}
