using System.Text;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using static RekorPosix.Tests.Log.Entries.TestRequests;

namespace RekorPosix.Tests.Log.Entries;

public class CreateEntryRequestDecoderTests
{
    private static CreateEntryRequest Decode(string json) => CreateEntryRequestDecoder.FromJson(Encoding.UTF8.GetBytes(json));

    private static string Refused(string json) =>
        Assert.Throws<RequestDecodeException>(() => Decode(json)).Message;

    /// <summary>Swaps one spelling of the worked example for another.</summary>
    private static string Worked(string from, string to)
    {
        var json = WorkedExampleJson();
        Assert.Contains(from, json);
        return json.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void CamelCaseNames_DecodeToTheWorkedExample()
    {
        Assert.Equal(WorkedExample(), Decode(WorkedExampleJson()));
    }

    [Fact]
    public void ProtoNames_AreAccepted()
    {
        var json = WorkedExampleJson()
            .Replace("hashedRekordRequestV002", "hashed_rekord_request_v002")
            .Replace("publicKey", "public_key")
            .Replace("rawBytes", "raw_bytes")
            .Replace("keyDetails", "key_details");
        Assert.Equal(WorkedExample(), Decode(json));
    }

    [Fact]
    public void MixedNames_AsInTheClientsDocCurlExample_AreAccepted()
    {
        var json = Worked("\"publicKey\":{\"rawBytes\"", "\"public_key\":{\"rawBytes\"");
        Assert.Equal(WorkedExample(), Decode(json));
    }

    [Fact]
    public void CertificateNames_BothSpellings()
    {
        var camel = Decode("{\"hashedRekordRequestV002\":{\"signature\":{\"verifier\":{\"x509Certificate\":{\"rawBytes\":\"AQID\"}}}}}");
        var snake = Decode("{\"hashed_rekord_request_v002\":{\"signature\":{\"verifier\":{\"x509_certificate\":{\"raw_bytes\":\"AQID\"}}}}}");
        Assert.Equal(new byte[] { 1, 2, 3 }, camel.HashedRekordRequestV002.Signature.Verifier.X509Certificate.RawBytes.ToByteArray());
        Assert.Equal(camel, snake);
    }

    [Fact]
    public void UrlSafeAndUnpaddedBase64_AreAccepted()
    {
        var urlSafe = WorkedSignature.Replace('+', '-').Replace('/', '_');
        var unpadded = WorkedDigest.TrimEnd('=');
        var urlSafeUnpadded = WorkedPublicKey.Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var json = WorkedExampleJson().Replace(WorkedSignature, urlSafe).Replace(WorkedDigest, unpadded)
            .Replace(WorkedPublicKey, urlSafeUnpadded);
        Assert.Equal(WorkedExample(), Decode(json));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("5.0")]
    [InlineData("0.5e1")]
    [InlineData("50E-1")]
    public void EnumByNumber_IsAccepted(string number)
    {
        Assert.Equal(WorkedExample(), Decode(WorkedExampleJson(number)));
    }

    [Theory]
    [InlineData("99", 99)]
    [InlineData("-1", -1)]
    [InlineData("24", 24)]
    public void UnknownEnumNumber_IsAcceptedForValidationToRefuse(string number, int expected)
    {
        var request = Decode(WorkedExampleJson(number));
        Assert.Equal((PublicKeyDetails)expected, request.HashedRekordRequestV002.Signature.Verifier.KeyDetails);
    }

    [Theory]
    [InlineData("\"PKIX_NOT_A_THING\"")]
    [InlineData("\"pkix_ecdsa_p256_sha_256\"")]
    [InlineData("\"5\"")]
    [InlineData("5.5")]
    [InlineData("2147483648")]
    [InlineData("true")]
    [InlineData("{}")]
    public void BadEnumValue_IsRefused(string value)
    {
        Assert.Contains("invalid value for enum field keyDetails", Refused(WorkedExampleJson(value)));
    }

    [Fact]
    public void DeprecatedEnumName_IsAccepted()
    {
        var request = Decode(WorkedExampleJson("\"PKIX_RSA_PSS\""));
        Assert.Equal(PublicKeyDetails.PkixRsaPss, request.HashedRekordRequestV002.Signature.Verifier.KeyDetails);
    }

    [Fact]
    public void NullFields_AreUnset()
    {
        var request = Decode("{\"hashedRekordRequestV002\":{\"digest\":null,\"signature\":{\"content\":null,\"verifier\":"
                             + "{\"publicKey\":null,\"x509Certificate\":{\"rawBytes\":\"AQID\"},\"keyDetails\":null}}}}");
        var inner = request.HashedRekordRequestV002;
        Assert.True(inner.Digest.IsEmpty);
        Assert.True(inner.Signature.Content.IsEmpty);
        Assert.Equal(Verifier.VerifierOneofCase.X509Certificate, inner.Signature.Verifier.VerifierCase);
        Assert.Equal(PublicKeyDetails.Unspecified, inner.Signature.Verifier.KeyDetails);
    }

    [Fact]
    public void NullRequestMember_LeavesTheOneofEmpty()
    {
        Assert.Equal(CreateEntryRequest.SpecOneofCase.None, Decode("{\"hashedRekordRequestV002\":null}").SpecCase);
    }

    [Fact]
    public void NullThenValue_IsADuplicateField()
    {
        Assert.Contains("duplicate field \"digest\"", Refused("{\"hashedRekordRequestV002\":{\"digest\":null,\"digest\":\"AQID\"}}"));
    }

    [Theory]
    [InlineData("{\"foo\":1}", "unknown field \"foo\"")]
    [InlineData("{\"hashedRekordRequestV0_0_2\":{}}", "unknown field \"hashedRekordRequestV0_0_2\"")]
    [InlineData("{\"HashedRekordRequestV002\":{}}", "unknown field \"HashedRekordRequestV002\"")]
    [InlineData("{\"hashedRekordRequestV002\":{\"data\":{}}}", "unknown field \"data\"")]
    [InlineData("{\"hashedRekordRequestV002\":{\"digest\":\"AQID\",\"extra\":null}}", "unknown field \"extra\"")]
    public void UnknownField_IsRefused(string json, string problem)
    {
        Assert.Contains(problem, Refused(json));
    }

    [Fact]
    public void UnknownField_HasGoStylePosition()
    {
        Assert.Equal("proto: (line 1:2): unknown field \"foo\"", Refused("{\"foo\":1}"));
        Assert.Equal("proto: (line 2:3): unknown field \"foo\"", Refused("{\n  \"foo\":1}"));
    }

    [Theory]
    [InlineData("{\"hashedRekordRequestV002\":{\"digest\":\"AQID\",\"digest\":\"AQID\"}}", "duplicate field \"digest\"")]
    [InlineData("{\"hashedRekordRequestV002\":{\"signature\":{\"verifier\":{\"keyDetails\":5,\"key_details\":5}}}}", "duplicate field \"key_details\"")]
    public void DuplicateField_IsRefused(string json, string problem)
    {
        Assert.Contains(problem, Refused(json));
    }

    [Theory]
    [InlineData("{\"hashedRekordRequestV002\":{},\"dsseRequestV002\":{}}")]
    [InlineData("{\"hashedRekordRequestV002\":{\"signature\":{\"verifier\":{\"publicKey\":{},\"x509Certificate\":{}}}}}")]
    public void BothOneofMembers_AreRefused(string json)
    {
        Assert.Contains("is already set", Refused(json));
    }

    [Fact]
    public void OneofMemberNullThenTheOther_IsAccepted()
    {
        Assert.Equal(CreateEntryRequest.SpecOneofCase.DsseRequestV002,
            Decode("{\"hashedRekordRequestV002\":null,\"dsseRequestV002\":{}}").SpecCase);
    }

    [Theory]
    [InlineData("{\"hashedRekordRequestV002\":{\"digest\":5}}")]
    [InlineData("{\"hashedRekordRequestV002\":{\"digest\":[]}}")]
    [InlineData("{\"hashedRekordRequestV002\":{\"signature\":\"AQID\"}}")]
    [InlineData("{\"hashedRekordRequestV002\":[]}")]
    [InlineData("{\"hashedRekordRequestV002\":true}")]
    [InlineData("[]")]
    [InlineData("\"hashedRekordRequestV002\"")]
    [InlineData("null")]
    [InlineData("42")]
    public void WrongJsonType_IsRefused(string json)
    {
        Refused(json);
    }

    [Theory]
    [InlineData("!!!!")]
    [InlineData("A")]
    [InlineData("AQ=")]
    [InlineData("AQ==AQ==")]
    [InlineData("A+_B")]
    [InlineData("AQ== ")]
    public void InvalidBase64_IsRefused(string text)
    {
        Assert.Contains("invalid value for bytes field digest", Refused($"{{\"hashedRekordRequestV002\":{{\"digest\":\"{text}\"}}}}"));
    }

    [Fact]
    public void EscapedNewlinesInBase64_AreIgnoredLikeGo()
    {
        var request = Decode("{\"hashedRekordRequestV002\":{\"digest\":\"AQ\\nID\\r\\n\"}}");
        Assert.Equal(new byte[] { 1, 2, 3 }, request.HashedRekordRequestV002.Digest.ToByteArray());
    }

    [Fact]
    public void RawNewlineInsideAString_IsInvalidJson()
    {
        Refused("{\"hashedRekordRequestV002\":{\"digest\":\"AQ\nID\"}}");
    }

    [Fact]
    public void TrailingDataAfterTheFirstValue_IsIgnored()
    {
        Assert.Equal(WorkedExample(), Decode(WorkedExampleJson() + "garbage {]"));
        Assert.Equal(WorkedExample(), Decode(WorkedExampleJson() + "{\"foo\":1}"));
        Assert.Equal(WorkedExample(), Decode("\r\n  " + WorkedExampleJson() + "\n"));
    }

    [Fact]
    public void IncompleteFirstValue_IsUnexpectedEof()
    {
        Assert.Equal("unexpected EOF", Refused(WorkedExampleJson()[..40]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public void EmptyBody_IsAnEmptyRequest(string body)
    {
        Assert.Equal(new CreateEntryRequest(), Decode(body));
    }

    [Theory]
    [InlineData("{,}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{/*c*/}")]
    [InlineData("\uFEFF{}")]
    [InlineData("{'a':1}")]
    public void InvalidJson_IsRefused(string json)
    {
        Refused(json);
    }

    [Fact]
    public void InvalidUtf8InAString_IsRefused()
    {
        byte[] json = [.. "{\"hashedRekordRequestV002\":{\"dsseRequestV002\":{\"envelope\":{\"payloadType\":\""u8, 0xFF, .. "\"}}}}"u8];
        Assert.Throws<RequestDecodeException>(() => CreateEntryRequestDecoder.FromJson(json));
        byte[] name = [.. "{\""u8, 0xC3, .. "\":1}"u8];
        Assert.Throws<RequestDecodeException>(() => CreateEntryRequestDecoder.FromJson(name));
    }

    [Fact]
    public void LoneSurrogateEscape_IsRefused()
    {
        Refused("{\"dsseRequestV002\":{\"envelope\":{\"payloadType\":\"\\ud800\"}}}");
    }

    [Fact]
    public void EscapedFieldNames_AreMatchedUnescaped()
    {
        Assert.Equal(WorkedExample(), Decode(WorkedExampleJson().Replace("\"digest\"", "\"\\u0064igest\"")));
    }

    [Fact]
    public void Dsse_DecodesFully()
    {
        var request = Decode("{\"dsseRequestV002\":{\"envelope\":{\"payload\":\"AQID\",\"payloadType\":\"application/vnd.in-toto+json\","
                             + "\"signatures\":[{\"sig\":\"AQID\",\"keyid\":\"\"}]},\"verifiers\":[{\"publicKey\":{\"rawBytes\":\"AQID\"},"
                             + "\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\"}]}}");
        Assert.Equal(CreateEntryRequest.SpecOneofCase.DsseRequestV002, request.SpecCase);
        Assert.Single(request.DsseRequestV002.Envelope.Signatures);
        Assert.Single(request.DsseRequestV002.Verifiers);
        Assert.Equal("application/vnd.in-toto+json", request.DsseRequestV002.Envelope.PayloadType);
    }

    [Theory]
    [InlineData("{\"dsseRequestV002\":{\"verifiers\":{}}}")]
    [InlineData("{\"dsseRequestV002\":{\"verifiers\":[null]}}")]
    [InlineData("{\"dsseRequestV002\":{\"envelope\":{\"payloadType\":5}}}")]
    [InlineData("{\"dsseRequestV002\":{\"envelope\":{\"bogus\":5}}}")]
    public void MalformedDsse_IsADecodeError(string json)
    {
        Refused(json);
    }

    [Fact]
    public void FromProto_RoundTripsTheBinaryForm()
    {
        var request = WorkedExample();
        Assert.Equal(request, CreateEntryRequestDecoder.FromProto(Google.Protobuf.MessageExtensions.ToByteArray(request)));
    }

    [Fact]
    public void FromProto_KeepsUnknownEnumNumbers()
    {
        var request = WorkedExample();
        request.HashedRekordRequestV002.Signature.Verifier.KeyDetails = (PublicKeyDetails)77;
        var decoded = CreateEntryRequestDecoder.FromProto(Google.Protobuf.MessageExtensions.ToByteArray(request));
        Assert.Equal((PublicKeyDetails)77, decoded.HashedRekordRequestV002.Signature.Verifier.KeyDetails);
    }

    [Theory]
    [InlineData(new byte[] { 0x0A })]
    [InlineData(new byte[] { 0x0A, 0x05, 0x01 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    public void FromProto_GarbageIsADecodeError(byte[] message)
    {
        Assert.Throws<RequestDecodeException>(() => CreateEntryRequestDecoder.FromProto(message));
    }

    [Fact]
    public void FromProto_EmptyMessageIsAnEmptyRequest()
    {
        Assert.Equal(new CreateEntryRequest(), CreateEntryRequestDecoder.FromProto([]));
    }
}
