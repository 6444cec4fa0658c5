namespace RekorPosix.Http;

/// <summary>Every error answer of the write API, with rekor-tiles' exact codes and messages (spec §4.3).</summary>
public static class ApiErrors
{
    public const string FrozenText = "This log has been frozen, please switch to the latest log.\n";

    public static ApiException Invalid(string message) => new(400, GrpcCode.InvalidArgument, message);

    /// <summary>A body Kestrel could not decode (bad chunked encoding, cut short): the client's fault,
    /// as grpc-gateway answers a body read error, not a 500.</summary>
    public static ApiException MalformedBody() => Invalid("malformed request body");

    public static ApiException Duplicate(long index) =>
        new(409, GrpcCode.AlreadyExists, $"an equivalent entry already exists in the transparency log with index {index}")
        {
            LogIndex = index,
        };

    public static ApiException Frozen() => new(405, GrpcCode.Unimplemented, "log frozen") { PlainTextBody = FrozenText };

    public static ApiException Pushback() => new(503, GrpcCode.Unavailable, "reached max pushback; retry") { RetryAfterSeconds = 1 };

    public static ApiException ClientGone() => new(499, GrpcCode.Canceled, "add entry: await: context canceled");

    public static ApiException IntegrationFailed() => new(500, GrpcCode.Unknown, "failed to integrate entry");

    public static ApiException Timeout() => new(504, GrpcCode.DeadlineExceeded, "add entry: await: context deadline exceeded");

    public static ApiException NotImplemented(string method) => new(501, GrpcCode.Unimplemented, $"method {method} not implemented");

    public static ApiException MethodNotAllowed() => new(501, GrpcCode.Unimplemented, "Method Not Allowed");

    public static ApiException NotFound() => new(404, GrpcCode.NotFound, "Not Found");

    /// <summary>The search route of a server started without --search-index (or whose index cannot be opened).</summary>
    public static ApiException NoSearchIndex() =>
        new(404, GrpcCode.NotFound, "this server keeps no search index (it is enabled with --search-index)");

    // The read-only routes this server adds (proofs, checkpoint history): no rekor-tiles message
    // to match, so each says what is missing or wrong.

    public static ApiException NotFound(string message) => new(404, GrpcCode.NotFound, message);

    public static ApiException NoCheckpointYet() => NotFound("no checkpoint is published yet");

    public static ApiException NotKept(long size) =>
        NotFound($"no checkpoint of size {size} is kept (start the server with --checkpoint-history)");

    public static ApiException ProofFailed() => new(500, GrpcCode.Internal, "cannot build the proof from the log's tiles");

    public static ApiException StorageFailed() => new(500, GrpcCode.Internal, "cannot read the log's storage");

    // gRPC only: request messages Grpc.AspNetCore cannot read, with grpc-go's codes for the same
    // bytes (GrpcRequestErrors says why); the HTTP faces are grpc-gateway's for those codes.

    public static ApiException MessageTooLarge() => new(429, GrpcCode.ResourceExhausted, "grpc: received message larger than max");

    public static ApiException UnparsableMessage() => new(500, GrpcCode.Internal, "grpc: error unmarshalling request");

    public static ApiException UnreadableMessage() => new(500, GrpcCode.Internal, "grpc: malformed request message");
}
