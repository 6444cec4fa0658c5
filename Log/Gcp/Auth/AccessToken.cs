namespace RekorPosix.Log.Gcp.Auth;

/// <summary>A bearer token and how long its issuer said it lives (<c>expires_in</c>), counted from
/// when it was asked for.</summary>
internal readonly record struct AccessToken(string Value, TimeSpan Lifetime)
{
    /// <summary>Never the token itself: it is a secret.</summary>
    public override string ToString() => $"an access token for {Lifetime.TotalSeconds:0} s";
}
