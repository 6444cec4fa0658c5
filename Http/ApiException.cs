namespace RekorPosix.Http;

/// <summary>gRPC status codes (the numbers of google.rpc.Code), which Rekor's JSON error bodies carry.</summary>
public enum GrpcCode
{
    Ok = 0,
    Canceled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    ResourceExhausted = 8,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
}

/// <summary>
/// A request that ends in an error answer, carrying both faces of it: the HTTP status and the
/// gRPC code with the message both transports send. Thrown by the entry service; the REST and
/// gRPC front ends only translate it.
/// </summary>
public sealed class ApiException(int httpStatus, GrpcCode code, string message) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;
    public GrpcCode Code { get; } = code;

    /// <summary>The original index of a duplicate (the X-Log-Index header / x-log-index metadata).</summary>
    public long? LogIndex { get; init; }

    /// <summary>Seconds a client should wait before retrying (Retry-After on pushback).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Frozen log: HTTP answers with this plain text instead of the JSON error body.</summary>
    public string? PlainTextBody { get; init; }
}
