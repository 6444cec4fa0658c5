namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// No token could be had. The message names the credential source (a file's path, the metadata
/// server) and what went wrong, never a key, a refresh token, a client secret or a token.
/// <see cref="IsTransient"/> tells a caller whether the same request may succeed later (the
/// token endpoint was unreachable, timed out, or answered 429 or 5xx).
/// </summary>
internal sealed class CredentialsException(string message, bool isTransient = false, Exception? inner = null)
    : IOException(message, inner)
{
    public bool IsTransient { get; } = isTransient;
}
