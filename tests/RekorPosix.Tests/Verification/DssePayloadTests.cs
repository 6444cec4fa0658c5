using System.Text;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

public class DssePayloadTests
{
    [Fact]
    public void PreAuthenticationEncoding_IsTheProtocolsExample()
    {
        // The worked example of https://github.com/secure-systems-lab/dsse/blob/master/protocol.md
        var pae = DssePayload.PreAuthenticationEncoding("http://example.com/HelloWorld", Encoding.UTF8.GetBytes("hello world"));
        Assert.Equal("DSSEv1 29 http://example.com/HelloWorld 11 hello world", Encoding.UTF8.GetString(pae));
    }

    [Fact]
    public void PreAuthenticationEncoding_CountsBytes_NotCharacters()
    {
        var pae = DssePayload.PreAuthenticationEncoding("é", [0xff]);
        Assert.Equal([.. "DSSEv1 2 "u8, 0xc3, 0xa9, .. " 1 "u8, 0xff], pae);
    }

    [Fact]
    public void NamesSubject_FindsTheDigestAmongTheSubjects()
    {
        var envelope = Statement("""{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha512":"00"}},{"name":"b","digest":{"sha256":"AB01"}}]}""");
        Assert.True(DssePayload.NamesSubject(envelope, [0xab, 0x01]));
        Assert.False(DssePayload.NamesSubject(envelope, [0xab, 0x02]));
    }

    [Fact]
    public void NamesSubject_RefusesAnotherPayloadType()
    {
        var envelope = new BundleDsseEnvelope("text/plain", "{}"u8.ToArray(), [[1]]);
        var e = Assert.Throws<BundleRejectedException>(() => DssePayload.NamesSubject(envelope, [1]));
        Assert.Equal("dsse: payload type \"text/plain\" is not an in-toto statement, so it names no artifact", e.Message);
    }

    [Fact]
    public void NamesSubject_RefusesAPayloadThatIsNotJson()
    {
        var e = Assert.Throws<BundleRejectedException>(() => DssePayload.NamesSubject(Statement("{"), [1]));
        Assert.StartsWith("the dsse payload is not JSON", e.Message);
    }

    private static BundleDsseEnvelope Statement(string json) => new("application/vnd.in-toto+json", Encoding.UTF8.GetBytes(json), [[1]]);
}
