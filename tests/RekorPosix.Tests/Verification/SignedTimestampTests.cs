using System.Formats.Asn1;
using RekorPosix.Verification;
using static RekorPosix.Tests.Verification.SigstoreCases;

namespace RekorPosix.Tests.Verification;

public class SignedTimestampTests
{
    private static readonly SigstoreBundle Happy = Bundle(ConformanceBundle("rekor2-happy-path"));
    private static readonly TrustedRoot Staging = Root(ConformanceRoot());
    private static readonly DateTimeOffset When = new(2025, 6, 12, 12, 2, 20, TimeSpan.Zero);

    [Fact]
    public void Verify_ATimestampOverTheSignature_GivesItsTime()
    {
        var time = SignedTimestamp.Verify(Happy.SignedTimestamps[0], Happy.Signature, Staging.TimestampAuthorities);
        Assert.Equal(When, time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public void Verify_ABareTimestampToken_IsAcceptedToo()
    {
        Assert.Equal(When.Date, SignedTimestamp.Verify(TokenOf(Happy.SignedTimestamps[0]), Happy.Signature, Staging.TimestampAuthorities).Date);
    }

    [Fact]
    public void Verify_OverAnotherSignature_IsRejected()
    {
        var other = (byte[])Happy.Signature.Clone();
        other[^1] ^= 1;
        var e = Assert.Throws<BundleRejectedException>(() => SignedTimestamp.Verify(Happy.SignedTimestamps[0], other, Staging.TimestampAuthorities));
        Assert.Contains("the token is not over this signature, or not signed by this authority", e.Message);
    }

    [Fact]
    public void Verify_FromAnAuthorityNotTrustedThen_IsRejected()
    {
        var json = ConformanceRoot();
        json["timestampAuthorities"]![0]!["validFor"]!["start"] = "2025-07-01T00:00:00Z";
        var e = Assert.Throws<BundleRejectedException>(() => SignedTimestamp.Verify(Happy.SignedTimestamps[0], Happy.Signature, Root(json).TimestampAuthorities));
        Assert.Contains("valid 2025-07-01 00:00:00Z to now, not at 2025-06-12 12:02:20Z", e.Message);
    }

    [Fact]
    public void Verify_ChainedToAnotherAuthority_IsRejected()
    {
        // The Fulcio CA in the TSA's place: the signer certificate is found, but does not chain to it.
        var json = ConformanceRoot();
        var tsa = json["timestampAuthorities"]![0]!;
        var chain = tsa["certChain"]!["certificates"]!.AsArray();
        chain.RemoveAt(chain.Count - 1);
        chain.Add(ConformanceRoot()["certificateAuthorities"]![0]!["certChain"]!["certificates"]![1]!.DeepClone());
        var e = Assert.Throws<BundleRejectedException>(() => SignedTimestamp.Verify(Happy.SignedTimestamps[0], Happy.Signature, Root(json).TimestampAuthorities));
        Assert.StartsWith("timestamp of 2025-06-12 12:02:20Z does not verify: https://timestamp.sigstage.dev/api/v1/timestamp:", e.Message);
    }

    [Fact]
    public void Verify_ARefusedResponse_IsRejected()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
            writer.WriteInteger(2); // rejection
        var e = Assert.Throws<BundleRejectedException>(() => SignedTimestamp.Verify(writer.Encode(), Happy.Signature, Staging.TimestampAuthorities));
        Assert.Equal("timestamp: the authority did not grant it", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01 })]
    [InlineData(new byte[] { 0x04, 0x00 })]
    public void Verify_Garbage_IsRejected(byte[] response)
    {
        var e = Assert.Throws<BundleRejectedException>(() => SignedTimestamp.Verify(response, Happy.Signature, Staging.TimestampAuthorities));
        Assert.StartsWith("timestamp: ", e.Message);
    }

    /// <summary>The TimeStampToken inside a TimeStampResp.</summary>
    private static byte[] TokenOf(byte[] response)
    {
        var sequence = new AsnReader(response, AsnEncodingRules.DER).ReadSequence();
        sequence.ReadSequence();
        return sequence.ReadEncodedValue().ToArray();
    }
}
