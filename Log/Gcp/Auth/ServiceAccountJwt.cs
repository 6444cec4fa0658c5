using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// The signed assertion a service account exchanges for a token (RFC 7523; spec
/// gcp-spanner-flavour.md §7.2): header <c>{"alg":"RS256","typ":"JWT","kid":…}</c>, claims
/// <c>iss</c>, <c>scope</c>, <c>aud</c>, <c>iat</c>, <c>exp</c> in that order, signed with
/// RSASSA-PKCS1-v1_5 over SHA-256. Deterministic: one key, scope and time give one string.
/// </summary>
internal static class ServiceAccountJwt
{
    /// <summary>Google's libraries send this audience whatever the file's token_uri says.</summary>
    public const string Audience = "https://oauth2.googleapis.com/token";

    /// <summary>The longest Google accepts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public static string Create(string clientEmail, string? keyId, RSA key, string scope, DateTimeOffset now)
    {
        long issuedAt = now.ToUnixTimeSeconds();
        string signingInput = Base64Url.EncodeToString(Header(keyId)) + "." + Base64Url.EncodeToString(Claims(clientEmail, scope, issuedAt));
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static byte[] Header(string? keyId) => Json(json =>
    {
        json.WriteString("alg", "RS256");
        json.WriteString("typ", "JWT");
        if (!string.IsNullOrEmpty(keyId))
            json.WriteString("kid", keyId);
    });

    private static byte[] Claims(string clientEmail, string scope, long issuedAt) => Json(json =>
    {
        json.WriteString("iss", clientEmail);
        json.WriteString("scope", scope);
        json.WriteString("aud", Audience);
        json.WriteNumber("iat", issuedAt);
        json.WriteNumber("exp", issuedAt + (long)Lifetime.TotalSeconds);
    });

    /// <summary>One compact JSON object, fields in the order written.</summary>
    private static byte[] Json(Action<Utf8JsonWriter> fields)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            fields(json);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
