namespace RekorPosix.Log.Gcp.Auth;

/// <summary>What a token endpoint and the metadata server answer (RFC 6749 §5.1): a token and
/// its lifetime in seconds.</summary>
internal sealed class TokenResponse
{
    public string? AccessToken { get; set; }
    public long? ExpiresIn { get; set; }
    public string? TokenType { get; set; }
}
