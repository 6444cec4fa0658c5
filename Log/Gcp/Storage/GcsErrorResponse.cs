namespace RekorPosix.Log.Gcp.Storage;

/// <summary>The JSON API's error body, <c>{"error":{"code":…,"message":…,"errors":[…]}}</c>; the
/// status code decides, the message explains.</summary>
internal sealed class GcsErrorResponse
{
    public GcsError? Error { get; set; }
}

internal sealed class GcsError
{
    public int Code { get; set; }
    public string? Message { get; set; }
}
