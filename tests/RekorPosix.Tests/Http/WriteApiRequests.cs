using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Tests.Signing.ClientSignatures;
using RekorPosix.Tests.Log.Entries;

namespace RekorPosix.Tests.Http;

/// <summary>Fresh, validly signed CreateEntry bodies as clients send them.</summary>
public static class WriteApiRequests
{
    /// <summary>A P-256 public-key request over the digest of a unique artifact.</summary>
    public static string NewJson(string? artifact = null)
    {
        var request = TestRequests.Signed(TestSigner.Shared("P-256"), PublicKeyDetails.PkixEcdsaP256Sha256, DigestAlgorithmSize.Sha256);
        request.HashedRekordRequestV002.Digest = ByteString.CopyFrom(
            TestRequests.Digest(DigestAlgorithmSize.Sha256, artifact ?? Guid.NewGuid().ToString()));
        request.HashedRekordRequestV002.Signature.Content = ByteString.CopyFrom(
            TestSigner.Shared("P-256").SignDigest(request.HashedRekordRequestV002.Digest.ToByteArray(), false));
        return JsonFormatter.Default.Format(request);
    }

    public static StringContent Content(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
