using System.Buffers.Binary;
using System.Text;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;
using Xunit;

namespace RekorPosix.Tests.Signing.Witnessing;

public sealed class CosignatureVerifierTests
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes("example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");

    private readonly LogSigningKey _key = LogSigningKey.GenerateEd25519();

    [Fact]
    public void Verify_AcceptsTheCosignersSignature()
    {
        var cosigner = _key.CreateCosigner("w.example", new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1700000000)));
        var verifier = WitnessKey.Parse(cosigner.VerifierKey).CreateVerifier();

        Assert.True(verifier.Verify(Text, cosigner.Sign(Text)));
        Assert.Equal(cosigner.KeyId, verifier.KeyId);
        Assert.Equal("w.example", verifier.Name);
    }

    [Fact]
    public void Verify_RefusesAnotherTimestampTextOrLength()
    {
        var cosigner = _key.CreateCosigner("w.example", TimeProvider.System);
        var verifier = WitnessKey.Parse(cosigner.VerifierKey).CreateVerifier();
        byte[] signature = cosigner.Sign(Text);

        byte[] otherTime = (byte[])signature.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(otherTime, BinaryPrimitives.ReadUInt64BigEndian(signature) + 1);
        byte[] otherText = [.. Text[..^2], (byte)'x', (byte)'\n'];

        Assert.False(verifier.Verify(Text, otherTime));
        Assert.False(verifier.Verify(otherText, signature));
        Assert.False(verifier.Verify(Text, signature[..^1]));
        Assert.False(verifier.Verify(Text, signature[8..]));
    }

    [Fact]
    public void Verify_RefusesATimestampBeyond2To63()
    {
        var cosigner = _key.CreateCosigner("w.example", TimeProvider.System);
        var verifier = WitnessKey.Parse(cosigner.VerifierKey).CreateVerifier();
        byte[] signature = cosigner.Sign(Text);
        BinaryPrimitives.WriteUInt64BigEndian(signature, 1UL << 63);

        Assert.False(verifier.Verify(Text, signature));
    }

    [Fact]
    public void APlainNoteSignatureOfTheSameKey_IsNotACosignature()
    {
        var cosigner = _key.CreateCosigner("w.example", TimeProvider.System);
        var verifier = WitnessKey.Parse(cosigner.VerifierKey).CreateVerifier();
        byte[] plain = _key.CreateNoteSigner("w.example").Sign(Text);

        Assert.False(verifier.Verify(Text, [.. new byte[8], .. plain]));
    }

    [Fact]
    public void TheSpecExample_CarriesKeyId8d66cf3fAndItsTimestamp()
    {
        // https://c2sp.org/tlog-cosignature: the example's witness line (no public key is given).
        byte[] payload = Convert.FromBase64String("jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==");

        Assert.Equal(76, payload.Length);
        Assert.Equal(0x8d66cf3fu, BinaryPrimitives.ReadUInt32BigEndian(payload));
        Assert.Equal(1679315147UL, CosignatureV1.TimestampOf(payload.AsSpan(4)));
    }
}
