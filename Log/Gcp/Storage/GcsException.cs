using System.Net;

namespace RekorPosix.Log.Gcp.Storage;

/// <summary>
/// A GCS call that failed: the message names the operation, the object and the bucket, and says
/// why (the API's status and error message, a timeout, a network error), with the attempts made.
/// <see cref="Status"/> is the HTTP status when GCS answered.
/// </summary>
internal sealed class GcsException(string message, HttpStatusCode? status = null, Exception? inner = null) : IOException(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}
