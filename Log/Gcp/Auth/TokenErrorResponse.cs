namespace RekorPosix.Log.Gcp.Auth;

/// <summary>A token endpoint's refusal (RFC 6749 §5.2), e.g. <c>invalid_grant</c>.</summary>
internal sealed class TokenErrorResponse
{
    public string? Error { get; set; }
    public string? ErrorDescription { get; set; }
}
