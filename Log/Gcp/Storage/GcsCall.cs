namespace RekorPosix.Log.Gcp.Storage;

/// <summary>One JSON API call as <see cref="GcsRequestSender"/> sends it: what it is for messages
/// (<paramref name="Operation"/> on <paramref name="Target"/>), whether repeating it is harmless,
/// and how to build its request afresh for each try.</summary>
internal sealed record GcsCall(string Operation, string Target, bool Idempotent, Func<HttpRequestMessage> Request)
{
    public override string ToString() => $"{Operation} {Target}";
}
