namespace RekorPosix.Log;

/// <summary>The log is too busy to take the entry now; the client should retry later
/// (HTTP 503 with Retry-After). Nothing was written.</summary>
public sealed class PushbackException(string message) : Exception(message);
