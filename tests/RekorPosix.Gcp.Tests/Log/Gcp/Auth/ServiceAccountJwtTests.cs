using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Auth;

/// <summary>The service account's assertion (spec gcp-spanner-flavour.md §7.2) against a vector
/// made by the openssl command line alone (tests/testdata/README.md).</summary>
public sealed class ServiceAccountJwtTests
{
    private static readonly DateTimeOffset IssuedAt = DateTimeOffset.FromUnixTimeSeconds(1796558400);

    private static string Create(string? keyId = TestServiceAccount.KeyId)
    {
        using var key = RSA.Create();
        key.ImportFromPem(TestServiceAccount.PrivateKeyPem);
        return ServiceAccountJwt.Create(TestServiceAccount.ClientEmail, keyId, key, GoogleScopes.CloudPlatform, IssuedAt);
    }

    [Fact]
    public void FixedKeyAndClock_GiveOpensslsBytes()
    {
        string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "gcp", "service-account-jwt.txt"));

        Assert.Equal(expected, Create());
    }

    [Fact]
    public void HeaderAndClaims_AreGooglesShape_AndTheSignatureVerifies()
    {
        string[] parts = Create().Split('.');

        Assert.Equal("""{"alg":"RS256","typ":"JWT","kid":"0123456789abcdef"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
        Assert.Equal(TestServiceAccount.ClientEmail, claims.GetProperty("iss").GetString());
        Assert.Equal(GoogleScopes.CloudPlatform, claims.GetProperty("scope").GetString());
        Assert.Equal("https://oauth2.googleapis.com/token", claims.GetProperty("aud").GetString());
        Assert.Equal(1796558400, claims.GetProperty("iat").GetInt64());
        Assert.Equal(1796558400 + 3600, claims.GetProperty("exp").GetInt64());
        using var publicKey = TestServiceAccount.PublicKey();
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void WithoutAKeyId_TheHeaderHasNoKid()
    {
        Assert.Equal("""{"alg":"RS256","typ":"JWT"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(Create(keyId: null).Split('.')[0])));
    }
}
